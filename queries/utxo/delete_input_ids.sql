-- name: utxo.delete_input_ids
-- params: $tx_id INTEGER
DELETE FROM utxo_input_ids WHERE tx_id = $tx_id;
