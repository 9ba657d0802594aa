-- name: cluster.of_addresses
-- params: $chain VARCHAR, $addresses VARCHAR[]
SELECT m.address, c.cluster_id, c.is_service FROM cluster_members m
JOIN clusters c ON c.chain = m.chain AND c.cluster_id = m.cluster_id
WHERE m.chain = $chain AND m.address IN (SELECT unnest($addresses));
