-- name: cluster.clear_work_tx
-- params: (none)
DELETE FROM cluster_work_tx;
