-- name: cluster.members
-- params: $chain VARCHAR, $cluster_id BIGINT, $limit BIGINT
SELECT address FROM cluster_members WHERE chain = $chain AND cluster_id = $cluster_id ORDER BY address LIMIT $limit;
