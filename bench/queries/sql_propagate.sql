-- name: bench.sql_propagate
-- params: (none)
-- SQL union-find alternative, one round of min-label propagation over the edges (repeat until no change).
UPDATE cluster_work_member r SET cluster_id = m.l
FROM (
  SELECT node, min(l) AS l FROM (
    SELECT e.a_id AS node, r2.cluster_id AS l FROM cluster_work_edge e JOIN cluster_work_member r2 ON r2.addr_id = e.b_id
    UNION ALL
    SELECT e.b_id AS node, r2.cluster_id AS l FROM cluster_work_edge e JOIN cluster_work_member r2 ON r2.addr_id = e.a_id
  ) GROUP BY node
) m
WHERE r.addr_id = m.node AND m.l < r.cluster_id;
