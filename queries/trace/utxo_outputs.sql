-- name: trace.utxo_outputs
-- params: $chain VARCHAR, $after INTEGER, $upto INTEGER
-- Outputs of transactions with ids in (after, upto]: address id (-1 none), spending tx id (-1 unspent,
-- -3 a txid without id) and vin, value - 2^63.
SELECT x.id AS tx_id, o.vout, coalesce(a.id, -1)::INTEGER AS addr_id,
  coalesce(s.id, CASE WHEN o.spent_by_txid IS NULL THEN -1 ELSE -3 END)::INTEGER AS spent_id,
  coalesce(o.spent_by_vin, 0)::INTEGER AS spent_vin,
  CASE WHEN value < 18446744073709551615 THEN (value - 9223372036854775808)::BIGINT ELSE 9223372036854775807 END AS value
FROM utxo_outputs o JOIN tx_ids x ON x.txid = o.txid
LEFT JOIN tx_ids s ON s.txid = o.spent_by_txid LEFT JOIN address_ids a ON a.address = o.address
WHERE o.chain = $chain AND x.id > $after AND x.id <= $upto
ORDER BY x.id, o.vout;
