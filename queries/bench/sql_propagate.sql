-- name: bench.sql_propagate
-- params: (none)
-- SQL union-find alternative, one round of min-label propagation over the edges (repeat until no change).
UPDATE cluster_work_root r SET root = m.l
FROM (
  SELECT node, min(l) AS l FROM (
    SELECT e.a_id AS node, r2.root AS l FROM cluster_work_ev e JOIN cluster_work_root r2 ON r2.addr_id = e.b_id
    UNION ALL
    SELECT e.b_id AS node, r2.root AS l FROM cluster_work_ev e JOIN cluster_work_root r2 ON r2.addr_id = e.a_id
  ) GROUP BY node
) m
WHERE r.addr_id = m.node AND m.l < r.root;
