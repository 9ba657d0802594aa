-- name: bench.trace_count
-- params: $chain VARCHAR
SELECT count(*) AS n,
       (SELECT count(*) FROM (SELECT from_address AS a FROM account_transfers WHERE chain = $chain
                              UNION SELECT to_address FROM account_transfers WHERE chain = $chain)) AS addresses,
       min(block_number) AS min_block, max(block_number) AS max_block
FROM account_transfers WHERE chain = $chain;
