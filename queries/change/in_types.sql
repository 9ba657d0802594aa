-- name: change.in_types
-- params: $chain VARCHAR
-- The input script types of the work transactions (change.work_txs numbers them by position here).
SELECT DISTINCT f.in_type FROM cluster_work_tx w
JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = w.tx_id
WHERE f.in_type IS NOT NULL ORDER BY f.in_type;
