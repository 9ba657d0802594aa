-- name: bench.sql_init_labels
-- params: (none)
-- Each address starts as its own label (cluster_id column).
INSERT INTO cluster_work_member (addr_id, cluster_id)
SELECT DISTINCT addr_id, addr_id FROM utxo_input_ids WHERE tx_id IN (SELECT tx_id FROM cluster_work_tx);
