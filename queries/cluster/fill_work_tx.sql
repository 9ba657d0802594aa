-- name: cluster.fill_work_tx
-- params: $chain VARCHAR, $all BOOLEAN
-- Confirmed, non-coinbase transactions not clustered yet (all of them when $all), with dense ranks.
INSERT INTO cluster_work_tx (rank, txid, coinjoin)
SELECT row_number() OVER (ORDER BY t.txid)::INTEGER, t.txid, NULL
FROM utxo_txs t
WHERE t.chain = $chain AND t.confirmed
  AND NOT EXISTS (SELECT 1 FROM utxo_inputs i WHERE i.chain = t.chain AND i.txid = t.txid AND i.is_coinbase)
  AND ($all OR NOT EXISTS (SELECT 1 FROM cluster_txs c WHERE c.chain = t.chain AND c.txid = t.txid));
