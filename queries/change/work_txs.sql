-- name: change.work_txs
-- params: $chain VARCHAR, $types VARCHAR[], $lo INTEGER, $hi INTEGER
-- The work transactions with ids in [lo, hi] that are no CoinJoin of any kind, as the change heuristics
-- read a tx alone: input count; wallet style (style_known: version, locktime and RBF all known; locktime
-- style 0 zero, 1 height, 2 time); in_type as its 1-based position in $types (0: none); smallest input.
SELECT w.tx_id, x.input_count,
  (f.version IS NOT NULL AND f.locktime IS NOT NULL AND f.rbf IS NOT NULL)::INTEGER AS style_known,
  coalesce(f.version, 0) AS version,
  coalesce(CASE WHEN f.locktime = 0 THEN 0 WHEN f.locktime < 500000000 THEN 1 ELSE 2 END, 0)::INTEGER AS locktime,
  coalesce(f.rbf::INTEGER, 0) AS rbf,
  coalesce(list_position($types, f.in_type), 0)::INTEGER AS in_type,
  coalesce(f.min_in, 0)::BIGINT AS min_in
FROM cluster_work_tx w
JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = w.tx_id
JOIN utxo_tx_index x ON x.chain = $chain AND x.tx_id = w.tx_id
WHERE w.coinjoin IS NULL AND f.coinjoin IS NULL AND w.tx_id BETWEEN $lo AND $hi;
