-- name: utxo.delete_stale_input_ids
-- params: (none)
DELETE FROM utxo_input_ids WHERE tx_id IN (SELECT tx_id FROM utxo_txs_stage WHERE had_id);
