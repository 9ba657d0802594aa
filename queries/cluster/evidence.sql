-- name: cluster.evidence
-- params: $chain VARCHAR, $cluster_id BIGINT, $limit BIGINT
SELECT txid, heuristic, address_a, address_b, confidence FROM cluster_evidence
WHERE chain = $chain AND cluster_id = $cluster_id ORDER BY txid, heuristic, address_a, address_b LIMIT $limit;
