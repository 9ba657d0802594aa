-- name: change.work_inputs
-- params: $lo INTEGER, $hi INTEGER
-- The addressed inputs of the transactions with ids in [lo, hi]; the caller keeps those of the
-- transactions change.work_txs gives (no join here: a range of a full run is every tx in it).
SELECT tx_id, vin, addr_id, addr_key FROM utxo_input_ids WHERE tx_id BETWEEN $lo AND $hi;
