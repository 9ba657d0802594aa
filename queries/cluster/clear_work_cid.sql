-- name: cluster.clear_work_cid
-- params: (none)
DELETE FROM cluster_work_cid;
