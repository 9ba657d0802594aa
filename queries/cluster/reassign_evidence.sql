-- name: cluster.reassign_evidence
-- params: $chain VARCHAR
-- Evidence of clusters that merged moves to the merged cluster's id.
UPDATE cluster_evidence e SET cluster_id = m.cluster_id
FROM cluster_members m
WHERE e.chain = $chain AND m.chain = $chain AND m.address = e.address_a AND e.cluster_id <> m.cluster_id;
