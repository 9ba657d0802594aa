-- name: utxo.delete_stale_tx_index
-- params: (none)
-- Id rows of staged transactions interned before (written again below).
DELETE FROM utxo_tx_index WHERE (chain, tx_id) IN (SELECT chain, tx_id FROM utxo_txs_stage WHERE had_id);
