-- name: cluster.insert_members
-- params: $chain VARCHAR
-- cluster_work_root holds only addresses of clusters with 2+ members, each with its cluster's smallest
-- rank; the id is derived from that (smallest) address, so any order of merges gives the same id.
INSERT INTO cluster_members (chain, address, cluster_id)
SELECT $chain, a.address, ('0x' || left(md5($chain || ':' || m.address), 15))::BIGINT
FROM cluster_work_root r
JOIN cluster_work_addr a ON a.rank = r.addr_rank
JOIN cluster_work_addr m ON m.rank = r.root_rank;
