-- name: trace.utxo_inputs
-- params: $chain VARCHAR, $after INTEGER, $upto INTEGER
-- Inputs of transactions with ids in (after, upto]: previous tx id (-1 coinbase, -3 a txid without id),
-- previous vout, address id (-1 none) and value - 2^63.
SELECT x.id AS tx_id, i.vin,
  coalesce(p.id, CASE WHEN i.is_coinbase OR i.prev_txid IS NULL THEN -1 ELSE -3 END)::INTEGER AS prev_id,
  coalesce(i.prev_vout, 0)::INTEGER AS prev_vout, coalesce(a.id, -1)::INTEGER AS addr_id,
  CASE WHEN value < 18446744073709551615 THEN (value - 9223372036854775808)::BIGINT ELSE 9223372036854775807 END AS value
FROM utxo_inputs i JOIN tx_ids x ON x.txid = i.txid
LEFT JOIN tx_ids p ON p.txid = i.prev_txid LEFT JOIN address_ids a ON a.address = i.address
WHERE i.chain = $chain AND x.id > $after AND x.id <= $upto
ORDER BY x.id, i.vin;
