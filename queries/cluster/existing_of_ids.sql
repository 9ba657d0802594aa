-- name: cluster.existing_of_ids
-- params: $chain VARCHAR, $ids INTEGER[]
-- Members of the existing clusters of these address ids, as (group number, address id, cluster id).
SELECT dense_rank() OVER (ORDER BY m.cluster_id)::INTEGER AS grp, m.addr_id, m.cluster_id
FROM cluster_member_ids m
WHERE m.chain = $chain AND m.cluster_id IN (
  SELECT cluster_id FROM cluster_member_ids WHERE chain = $chain AND addr_id IN (SELECT unnest($ids))
)
ORDER BY grp;
