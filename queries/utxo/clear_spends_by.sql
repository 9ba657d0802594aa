-- name: utxo.clear_spends_by
-- params: $chain VARCHAR, $txid VARCHAR
UPDATE utxo_outputs SET spent_by_txid = NULL, spent_by_vin = NULL
WHERE chain = $chain AND spent_by_txid = $txid;
