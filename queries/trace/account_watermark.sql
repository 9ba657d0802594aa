-- name: trace.account_watermark
-- params: $chain VARCHAR
-- The trace index of a chain's transfers: the highest transfer id, and how many rows it has not seen yet.
SELECT coalesce(max(tid), 0)::BIGINT AS upto,
  (count(*) FILTER (WHERE tid IS NULL AND from_address IS NOT NULL))::BIGINT AS unindexed
FROM account_transfers WHERE chain = $chain;
