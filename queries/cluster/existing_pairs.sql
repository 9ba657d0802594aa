-- name: cluster.existing_pairs
-- params: $chain VARCHAR
-- Existing clusters within the id space, so new merges build on them instead of recomputing.
SELECT a.rank AS addr, m.cluster_id AS cluster
FROM cluster_members m JOIN cluster_work_addr a ON a.address = m.address
WHERE m.chain = $chain
ORDER BY m.cluster_id, a.rank;
