-- name: cluster.reset_clusters
-- params: $chain VARCHAR
-- Full recompute: forget this chain's clustering first.
DELETE FROM clusters WHERE chain = $chain;
