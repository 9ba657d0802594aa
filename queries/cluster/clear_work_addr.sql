-- name: cluster.clear_work_addr
-- params: (none)
DELETE FROM cluster_work_addr;
