-- name: addresses.account_stats
-- params: $chain VARCHAR, $address VARCHAR
-- Per-asset totals over stored account transfers (failed transfers move no value).
SELECT asset, any_value(symbol) AS symbol, any_value(decimals) AS decimals,
       count(DISTINCT txid)::BIGINT AS tx_count,
       coalesce(sum(value) FILTER (WHERE to_address = $address AND success), 0)::HUGEINT AS received,
       coalesce(sum(value) FILTER (WHERE from_address = $address AND success), 0)::HUGEINT AS sent,
       min(block_time) AS first_seen, max(block_time) AS last_seen
FROM account_transfers
WHERE chain = $chain AND (from_address = $address OR to_address = $address)
GROUP BY asset ORDER BY asset;
