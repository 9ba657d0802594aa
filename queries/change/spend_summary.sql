-- name: change.spend_summary
-- params: $chain VARCHAR, $all BOOLEAN
-- For each address of the change work (every one when $all) that stored confirmed transactions spent from:
-- how many; the styles seen over them as bits (0-2: locktime zero, height, time; 3-4: no RBF, RBF;
-- 5: a version known); and the smallest and largest known version (0 when none). Each tx's bits are
-- computed once, before the join.
WITH t AS (
  SELECT tx_id, (coalesce(CASE WHEN locktime = 0 THEN 1 WHEN locktime < 500000000 THEN 2 ELSE 4 END, 0)
    | coalesce(CASE WHEN rbf THEN 16 ELSE 8 END, 0) | CASE WHEN version IS NULL THEN 0 ELSE 32 END)::INTEGER AS bits, version
  FROM utxo_tx_fingerprints WHERE chain = $chain AND block_height IS NOT NULL
), s AS (
  SELECT DISTINCT i.addr_id, i.tx_id FROM utxo_input_ids i
  WHERE $all OR i.addr_id IN (SELECT addr_id FROM change_work_addr)
)
SELECT s.addr_id, count(*)::INTEGER AS n, bit_or(t.bits)::INTEGER AS seen,
  coalesce(min(t.version), 0) AS version_min, coalesce(max(t.version), 0) AS version_max
FROM s JOIN t ON t.tx_id = s.tx_id
GROUP BY s.addr_id;
