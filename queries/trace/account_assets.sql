-- name: trace.account_assets
-- params: $chain VARCHAR, $after BIGINT, $upto BIGINT
-- Assets of the transfers with ids in (after, upto], with their symbol and decimals.
SELECT asset, max(symbol) AS symbol, max(decimals) AS decimals
FROM account_transfers WHERE chain = $chain AND tid > $after AND tid <= $upto
GROUP BY asset ORDER BY asset;
