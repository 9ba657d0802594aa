-- name: cluster.clear_work_edge
-- params: (none)
DELETE FROM cluster_work_edge;
