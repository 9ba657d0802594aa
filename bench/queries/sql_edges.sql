-- name: bench.sql_edges
-- params: (none)
-- SQL union-find alternative, step 1: one edge per consecutive input pair of each multi-input tx.
INSERT INTO cluster_work_edge (a_id, b_id)
SELECT x, y FROM (
  SELECT i.addr_id AS x, lead(i.addr_id) OVER (PARTITION BY i.tx_id ORDER BY i.vin) AS y
  FROM utxo_input_ids i WHERE i.tx_id IN (SELECT tx_id FROM cluster_work_tx)
) WHERE y IS NOT NULL;
