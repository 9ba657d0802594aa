-- name: utxo.delete_stale_output_ids
-- params: (none)
DELETE FROM utxo_output_ids WHERE tx_id IN (SELECT tx_id FROM utxo_txs_stage WHERE had_id);
