-- name: cluster.reset_txs
-- params: $chain VARCHAR
-- Full recompute: forget this chain's clustering first.
DELETE FROM cluster_tx_ids WHERE chain = $chain;
