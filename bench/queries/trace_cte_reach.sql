-- name: bench.trace_cte_reach
-- params: $chain VARCHAR, $start VARCHAR, $max_hops INTEGER
-- Naive reachability baseline: recursive CTE over (address, depth) with UNION dedup, then distinct addresses.
WITH RECURSIVE reach(address, depth) AS (
  SELECT $start::VARCHAR, 0
  UNION
  SELECT t.to_address, r.depth + 1
  FROM reach r JOIN account_transfers t ON t.chain = $chain AND t.from_address = r.address
  WHERE r.depth < $max_hops AND t.to_address IS NOT NULL
)
SELECT count(DISTINCT address) AS reached FROM reach;
