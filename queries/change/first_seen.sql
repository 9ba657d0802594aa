-- name: change.first_seen
-- params: $chain VARCHAR
-- For each address of the change work, the first stored confirmed transaction paying it in chain order
-- (height, then txid; txids are read only when several txs of its first block pay it).
WITH o AS (
  SELECT o.addr_id, o.tx_id, f.block_height AS h
  FROM utxo_output_ids o JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = o.tx_id
  WHERE f.block_height IS NOT NULL AND o.addr_id IN (SELECT addr_id FROM change_work_addr)
), t AS (
  SELECT o.addr_id, o.tx_id FROM o
  JOIN (SELECT addr_id, min(h) AS h FROM o GROUP BY addr_id) m ON m.addr_id = o.addr_id AND m.h = o.h
), r AS (
  SELECT addr_id, min(tx_id) AS lo, max(tx_id) AS hi FROM t GROUP BY addr_id
)
SELECT addr_id, lo AS tx_id FROM r WHERE lo = hi
UNION ALL
SELECT t.addr_id, arg_min(t.tx_id, x.txid) AS tx_id
FROM t JOIN r ON r.addr_id = t.addr_id AND r.lo <> r.hi JOIN tx_ids x ON x.id = t.tx_id
GROUP BY t.addr_id;
