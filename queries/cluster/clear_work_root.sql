-- name: cluster.clear_work_root
-- params: (none)
DELETE FROM cluster_work_root;
