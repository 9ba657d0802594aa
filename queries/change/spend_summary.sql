-- name: change.spend_summary
-- params: $chain VARCHAR, $all BOOLEAN
-- For each address of the change work (every one when $all) that stored confirmed transactions spent from: how many, and over
-- them the known versions (count, smallest, largest), locktime styles (0 zero, 1 height, 2 time) and RBF
-- signalling (0/1), smallest and largest (-1: none known).
WITH s AS (
  SELECT DISTINCT i.addr_id, i.tx_id FROM utxo_input_ids i
  WHERE $all OR i.addr_id IN (SELECT addr_id FROM change_work_addr)
)
SELECT s.addr_id, count(*)::INTEGER AS n,
  count(f.version)::INTEGER AS versions, coalesce(min(f.version), 0) AS version_min,
  coalesce(max(f.version), 0) AS version_max,
  coalesce(min(CASE WHEN f.locktime = 0 THEN 0 WHEN f.locktime < 500000000 THEN 1 ELSE 2 END), -1)::INTEGER AS locktime_min,
  coalesce(max(CASE WHEN f.locktime = 0 THEN 0 WHEN f.locktime < 500000000 THEN 1 ELSE 2 END), -1)::INTEGER AS locktime_max,
  coalesce(min(f.rbf::INTEGER), -1) AS rbf_min, coalesce(max(f.rbf::INTEGER), -1) AS rbf_max
FROM s JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = s.tx_id AND f.block_height IS NOT NULL
GROUP BY s.addr_id;
