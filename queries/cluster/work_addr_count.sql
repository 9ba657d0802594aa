-- name: cluster.work_addr_count
-- params: (none)
SELECT count(*)::INTEGER AS n FROM cluster_work_addr;
