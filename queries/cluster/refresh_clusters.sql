-- name: cluster.refresh_clusters
-- params: $chain VARCHAR, $service_threshold INTEGER
-- Cluster sizes from membership; clusters at or above the threshold are flagged as likely services.
INSERT OR REPLACE INTO clusters (chain, cluster_id, size, is_service)
SELECT $chain, cluster_id, count(*)::INTEGER, count(*) >= $service_threshold
FROM cluster_member_ids WHERE chain = $chain
GROUP BY cluster_id;
