-- name: utxo.delete_fingerprint
-- params: $chain VARCHAR, $tx_id INTEGER
DELETE FROM utxo_tx_fingerprints WHERE chain = $chain AND tx_id = $tx_id;
