-- name: utxo.delete_known_txs
-- params: (none)
-- The stored rows of staged transactions that are rewritten (written again from the stage).
DELETE FROM utxo_txs WHERE (chain, txid) IN (SELECT chain, txid FROM utxo_txs_stage WHERE known);
