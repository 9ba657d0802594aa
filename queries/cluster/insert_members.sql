-- name: cluster.insert_members
-- params: $chain VARCHAR
-- A cluster's id is derived from its smallest member address, so any order of merges gives the same id.
INSERT INTO cluster_members (chain, address, cluster_id)
WITH roots AS (
  SELECT r.root_rank, ('0x' || left(md5($chain || ':' || min(a.address)), 15))::BIGINT AS cluster_id, count(*) AS n
  FROM cluster_work_root r JOIN cluster_work_addr a ON a.rank = r.addr_rank
  GROUP BY r.root_rank
)
SELECT $chain, a.address, roots.cluster_id
FROM cluster_work_root r
JOIN cluster_work_addr a ON a.rank = r.addr_rank
JOIN roots ON roots.root_rank = r.root_rank
WHERE roots.n >= 2;
