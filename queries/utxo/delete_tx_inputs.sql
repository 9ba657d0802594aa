-- name: utxo.delete_tx_inputs
-- params: $chain VARCHAR, $txid VARCHAR
DELETE FROM utxo_inputs WHERE chain = $chain AND txid = $txid;
