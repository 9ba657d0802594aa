-- name: bench.sql_propagate
-- params: (none)
-- SQL union-find alternative, one round of min-label propagation over the edges (repeat until no change).
UPDATE cluster_work_root r SET root_rank = m.l
FROM (
  SELECT node, min(l) AS l FROM (
    SELECT e.a_rank AS node, r2.root_rank AS l FROM cluster_work_ev e JOIN cluster_work_root r2 ON r2.addr_rank = e.b_rank
    UNION ALL
    SELECT e.b_rank AS node, r2.root_rank AS l FROM cluster_work_ev e JOIN cluster_work_root r2 ON r2.addr_rank = e.a_rank
  ) GROUP BY node
) m
WHERE r.addr_rank = m.node AND m.l < r.root_rank;
