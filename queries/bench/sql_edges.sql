-- name: bench.sql_edges
-- params: (none)
-- SQL union-find alternative, step 1: one edge per consecutive input pair of each multi-input tx.
INSERT INTO cluster_work_ev (tx_rank, a_rank, b_rank, heuristic, confidence)
SELECT tx, x, y, 'bench', 0 FROM (
  SELECT w.rank AS tx, a.rank AS x, lead(a.rank) OVER (PARTITION BY w.rank ORDER BY i.vin) AS y
  FROM cluster_work_tx w JOIN utxo_inputs i ON i.chain = 'bitcoin' AND i.txid = w.txid
  JOIN cluster_work_addr a ON a.address = i.address
) WHERE y IS NOT NULL;
