-- name: change.work_outputs
-- params: $chain VARCHAR, $lo INTEGER, $hi INTEGER
-- The addressed outputs above 0 of the transactions change.work_txs gives; same_type: of the inputs' one
-- script type.
SELECT o.tx_id, o.vout, o.addr_id, o.addr_key, o.value::BIGINT AS value,
  coalesce(o.script_type = f.in_type, false)::INTEGER AS same_type
FROM utxo_output_ids o
JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = o.tx_id
JOIN cluster_work_tx w ON w.tx_id = o.tx_id
WHERE o.tx_id BETWEEN $lo AND $hi AND o.value > 0 AND w.coinjoin IS NULL AND f.coinjoin IS NULL;
