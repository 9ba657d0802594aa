-- name: cluster.stats
-- params: $chain VARCHAR
SELECT count(*)::INTEGER AS n, coalesce(max(size), 0)::INTEGER AS largest FROM clusters WHERE chain = $chain;
