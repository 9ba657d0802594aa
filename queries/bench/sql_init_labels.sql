-- name: bench.sql_init_labels
-- params: (none)
INSERT INTO cluster_work_root (addr_id, root)
SELECT DISTINCT addr_id, addr_id FROM utxo_input_ids WHERE tx_id IN (SELECT tx_id FROM cluster_work_tx);
