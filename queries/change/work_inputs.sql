-- name: change.work_inputs
-- params: $chain VARCHAR, $lo INTEGER, $hi INTEGER
-- The addressed inputs of the transactions change.work_txs gives.
SELECT i.tx_id, i.vin, i.addr_id, i.addr_key FROM utxo_input_ids i
WHERE i.tx_id BETWEEN $lo AND $hi AND i.tx_id IN (
  SELECT w.tx_id FROM cluster_work_tx w JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = w.tx_id
  WHERE w.coinjoin IS NULL AND f.coinjoin IS NULL AND w.tx_id BETWEEN $lo AND $hi
);
