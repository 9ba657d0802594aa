-- name: trace.height_window
-- params: $chain VARCHAR, $since BIGINT, $until BIGINT
-- The stored blocks of a time window (Unix seconds, both ends included): the first block whose time
-- is at or after `since`, the last whose time is at or before `until` (null: no such stored block).
SELECT min(h) FILTER (WHERE t >= $since) AS first, max(h) FILTER (WHERE t <= $until) AS last
FROM (
  SELECT block_height::BIGINT AS h, block_time AS t FROM utxo_txs
  WHERE chain = $chain AND block_height IS NOT NULL AND block_time IS NOT NULL
  UNION ALL
  SELECT block_number AS h, block_time AS t FROM account_transfers
  WHERE chain = $chain AND block_number IS NOT NULL AND block_time IS NOT NULL
);
