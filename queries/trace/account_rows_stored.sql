-- name: trace.account_rows_stored
-- params: $chain VARCHAR, $after BIGINT, $upto BIGINT, $assets VARCHAR[]
-- trace.account_rows in the order the rows are stored (no sort; the caller checks chain order): party ids (-1: no recipient),
-- the asset's position in $assets, kind order (+4 when successful), block, tx index, seq, a 31-bit hash
-- of the txid (equal within a transaction), the transfer id, and value - 2^63 (2^63 - 1: the value is
-- 2^64 - 1 or more, see trace.account_big_values).
SELECT from_id, coalesce(to_id, -1) AS to_id, (list_position($assets, asset) - 1)::INTEGER AS asset,
  (CASE kind WHEN 'fee' THEN 0 WHEN 'native' THEN 1 WHEN 'internal' THEN 2 ELSE 3 END
   + CASE WHEN success THEN 4 ELSE 0 END)::INTEGER AS flags,
  coalesce(block_number, 2147483647)::INTEGER AS block, coalesce(tx_index, 0)::INTEGER AS tx_index, seq,
  (hash(txid) % 2147483647)::INTEGER AS tag, tid::INTEGER AS tid,
  CASE WHEN value < 18446744073709551615 THEN (value - 9223372036854775808)::BIGINT ELSE 9223372036854775807 END AS value
FROM account_transfers
WHERE chain = $chain AND tid > $after AND tid <= $upto;
