-- name: cluster.clear_work_member
-- params: (none)
DELETE FROM cluster_work_member;
