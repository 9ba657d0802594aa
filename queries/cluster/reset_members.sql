-- name: cluster.reset_members
-- params: $chain VARCHAR
-- Full recompute: forget this chain's clustering first.
DELETE FROM cluster_member_ids WHERE chain = $chain;
