-- name: trace.clusters
-- params: $chain VARCHAR, $ids INTEGER[]
-- Cluster of each member of a service cluster, and of these addresses.
SELECT m.addr_id, c.cluster_id, c.is_service::INTEGER AS is_service
FROM cluster_member_ids m JOIN clusters c ON c.chain = m.chain AND c.cluster_id = m.cluster_id
WHERE m.chain = $chain AND (c.is_service OR m.addr_id IN (SELECT unnest($ids)));
