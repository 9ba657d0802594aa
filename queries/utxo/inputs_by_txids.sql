-- name: utxo.inputs_by_txids
-- params: $chain VARCHAR, $txids VARCHAR[]
SELECT txid, vin, prev_txid, prev_vout, address, value, script_type, is_coinbase, sequence
FROM utxo_inputs WHERE chain = $chain AND txid IN (SELECT unnest($txids)) ORDER BY txid, vin;
