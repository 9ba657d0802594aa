-- name: cluster.coinjoin_candidates
-- params: $chain VARCHAR
-- Only transactions with 2+ inputs, 3+ outputs and a repeated output value can be CoinJoins of any kind.
SELECT w.txid FROM cluster_work_tx w JOIN utxo_txs t ON t.chain = $chain AND t.txid = w.txid
WHERE t.input_count >= 2 AND t.output_count >= 3
  AND EXISTS (
    SELECT 1 FROM utxo_outputs o WHERE o.chain = $chain AND o.txid = w.txid
    GROUP BY o.value HAVING count(*) >= 2
  )
ORDER BY w.rank;
