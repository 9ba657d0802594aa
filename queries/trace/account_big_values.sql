-- name: trace.account_big_values
-- params: $chain VARCHAR, $after BIGINT, $upto BIGINT
-- Values too large for 64 bits (tokens with many decimals), by transfer id.
SELECT tid::INTEGER AS tid, value
FROM account_transfers WHERE chain = $chain AND tid > $after AND tid <= $upto AND value >= 18446744073709551615;
