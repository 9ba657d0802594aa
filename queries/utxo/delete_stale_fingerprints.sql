-- name: utxo.delete_stale_fingerprints
-- params: (none)
DELETE FROM utxo_tx_fingerprints WHERE (chain, tx_id) IN (SELECT chain, tx_id FROM utxo_txs_stage WHERE had_id);
