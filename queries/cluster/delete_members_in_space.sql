-- name: cluster.delete_members_in_space
-- params: $chain VARCHAR
DELETE FROM cluster_members WHERE chain = $chain AND address IN (SELECT address FROM cluster_work_addr);
