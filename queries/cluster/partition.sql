-- name: cluster.partition
-- params: $chain VARCHAR
-- Membership as (cluster_id, address), for comparisons and exports.
SELECT cluster_id, address FROM cluster_members WHERE chain = $chain ORDER BY cluster_id, address;
