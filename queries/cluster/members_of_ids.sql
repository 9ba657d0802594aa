-- name: cluster.members_of_ids
-- params: $chain VARCHAR, $ids INTEGER[]
-- The cluster of each of these address ids that is in one, as (group number, address id, cluster id),
-- grouped by cluster: only these members, not the rest of their clusters.
SELECT dense_rank() OVER (ORDER BY m.cluster_id)::INTEGER AS grp, m.addr_id, m.cluster_id
FROM cluster_member_ids m
WHERE m.chain = $chain AND m.addr_id IN (SELECT unnest($ids))
ORDER BY grp;
