-- name: bench.trace_starts
-- params: $chain VARCHAR, $seed BIGINT, $limit BIGINT, $exclude_prefix VARCHAR
-- Deterministic trace starts: addresses that received before they first sent (so taint has mass to follow)
-- and sent 2..200 times, excluding the exchange hubs.
WITH outd AS (
  SELECT from_address AS a, count(*) AS n_out, min(block_number) AS first_out
  FROM account_transfers WHERE chain = $chain GROUP BY 1
), ind AS (
  SELECT to_address AS a, count(*) AS n_in, min(block_number) AS first_in
  FROM account_transfers WHERE chain = $chain GROUP BY 1
)
SELECT o.a AS address, o.n_out, i.n_in
FROM outd o JOIN ind i ON i.a = o.a
WHERE i.first_in < o.first_out AND o.n_out BETWEEN 2 AND 200 AND NOT starts_with(o.a, $exclude_prefix)
ORDER BY hash(o.a, $seed), o.a
LIMIT $limit;
