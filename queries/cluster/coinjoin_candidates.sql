-- name: cluster.coinjoin_candidates
-- params: $chain VARCHAR
-- Only transactions with 2+ inputs, 3+ outputs and a repeated output value can be CoinJoins of any kind.
WITH c AS (
  SELECT w.tx_id, x.txid FROM cluster_work_tx w
  JOIN utxo_tx_index t ON t.chain = $chain AND t.tx_id = w.tx_id
  JOIN tx_ids x ON x.id = w.tx_id
  WHERE t.input_count >= 2 AND t.output_count >= 3
)
SELECT c.tx_id, c.txid FROM c
WHERE EXISTS (
  SELECT 1 FROM utxo_outputs o WHERE o.chain = $chain AND o.txid = c.txid
  GROUP BY o.value HAVING count(*) >= 2
)
ORDER BY c.tx_id;
