-- name: cluster.delete_members_in_space
-- params: $chain VARCHAR
-- Old membership of every address rewritten by this run (whole clusters are rewritten).
DELETE FROM cluster_member_ids WHERE chain = $chain AND addr_id IN (SELECT addr_id FROM cluster_work_member);
