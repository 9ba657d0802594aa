-- name: cluster.clear_work_ev
-- params: (none)
DELETE FROM cluster_work_ev;
