-- name: cluster.by_address
-- params: $chain VARCHAR, $address VARCHAR
SELECT c.cluster_id, c.size, c.is_service FROM cluster_members m
JOIN clusters c ON c.chain = m.chain AND c.cluster_id = m.cluster_id
WHERE m.chain = $chain AND m.address = $address;
