-- name: cluster.insert_members
-- params: $chain VARCHAR
-- cluster_work_root holds only addresses of clusters with 2+ members, each with its cluster's smallest
-- rank; the id is derived from that (smallest) address once per cluster, so any order of merges gives
-- the same id.
INSERT INTO cluster_members (chain, address, cluster_id)
WITH ids AS (
  SELECT r.root_rank, ('0x' || left(md5($chain || ':' || m.address), 15))::BIGINT AS cluster_id
  FROM (SELECT DISTINCT root_rank FROM cluster_work_root) r JOIN cluster_work_addr m ON m.rank = r.root_rank
)
SELECT $chain, a.address, ids.cluster_id
FROM cluster_work_root r
JOIN ids ON ids.root_rank = r.root_rank
JOIN cluster_work_addr a ON a.rank = r.addr_rank;
