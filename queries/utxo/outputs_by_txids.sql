-- name: utxo.outputs_by_txids
-- params: $chain VARCHAR, $txids VARCHAR[]
SELECT txid, vout, address, value, script_type, spent_by_txid, spent_by_vin
FROM utxo_outputs WHERE chain = $chain AND txid IN (SELECT unnest($txids)) ORDER BY txid, vout;
