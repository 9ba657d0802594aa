-- name: cluster.reset_input_merges
-- params: $chain VARCHAR
-- Full recompute: forget this chain's multi-input merges (their chain is their tx's).
DELETE FROM cluster_input_merges
WHERE tx_id IN (SELECT tx_id FROM utxo_tx_index WHERE chain = $chain);
