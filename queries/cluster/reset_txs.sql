-- name: cluster.reset_txs
-- params: $chain VARCHAR
-- Full recompute: forget this chain's clustering first.
DELETE FROM cluster_txs WHERE chain = $chain;
