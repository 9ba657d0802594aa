-- name: trace.account_watermark
-- params: $chain VARCHAR
-- The trace index of a chain's transfers: the highest transfer id, and how many rows it has not seen yet.
-- Two scans, so that the second filters on tid before reading from_address (zone maps skip indexed rows).
SELECT (SELECT coalesce(max(tid), 0) FROM account_transfers WHERE chain = $chain)::BIGINT AS upto,
  (SELECT count(*) FROM account_transfers
   WHERE chain = $chain AND tid IS NULL AND from_address IS NOT NULL)::BIGINT AS unindexed;
