-- name: utxo.delete_tx_index
-- params: $chain VARCHAR, $tx_id INTEGER
DELETE FROM utxo_tx_index WHERE chain = $chain AND tx_id = $tx_id;
