-- name: change.work_outputs
-- params: $types VARCHAR[], $lo INTEGER, $hi INTEGER
-- The addressed outputs above 0 of the transactions with ids in [lo, hi] (the caller keeps those of the
-- transactions change.work_txs gives); out_type: the script type's 1-based position in $types (0: not there).
SELECT tx_id, vout, addr_id, addr_key, value::BIGINT AS value,
  coalesce(list_position($types, script_type), 0)::INTEGER AS out_type
FROM utxo_output_ids
WHERE tx_id BETWEEN $lo AND $hi AND value > 0;
