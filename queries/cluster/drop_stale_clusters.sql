-- name: cluster.drop_stale_clusters
-- params: $chain VARCHAR
DELETE FROM clusters WHERE chain = $chain
  AND cluster_id NOT IN (SELECT cluster_id FROM cluster_member_ids WHERE chain = $chain);
