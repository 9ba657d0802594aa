-- name: utxo.delete_output_ids
-- params: $tx_id INTEGER
DELETE FROM utxo_output_ids WHERE tx_id = $tx_id;
