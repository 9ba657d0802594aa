-- name: utxo.delete_tx_outputs
-- params: $chain VARCHAR, $txid VARCHAR
DELETE FROM utxo_outputs WHERE chain = $chain AND txid = $txid;
