-- name: cluster.fill_work_tx
-- params: $chain VARCHAR, $all BOOLEAN
-- Confirmed, non-coinbase transactions not clustered yet (all of them when $all), by id.
INSERT INTO cluster_work_tx (tx_id, coinjoin)
SELECT t.tx_id, NULL FROM utxo_tx_index t
WHERE t.chain = $chain AND t.confirmed AND NOT t.coinbase
  AND ($all OR t.tx_id NOT IN (SELECT c.tx_id FROM cluster_tx_ids c WHERE c.chain = $chain));
