-- name: change.first_seen
-- params: $chain VARCHAR, $all BOOLEAN
-- For each address (of the change work, or every one when $all), the first stored confirmed transaction
-- paying it in chain order: height, then txid. One pass keeps the smallest and largest tx id paying it at
-- its first height (height * 2^31 + tx id, and the same with the id reversed); txids are read only where
-- those differ (several txs of its first block pay it).
WITH m AS (
  SELECT o.addr_id,
    min(f.block_height::BIGINT * 2147483648 + o.tx_id) AS lo,
    min(f.block_height::BIGINT * 2147483648 + (2147483647 - o.tx_id)) AS hi
  FROM utxo_output_ids o JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = o.tx_id
  WHERE f.block_height IS NOT NULL AND ($all OR o.addr_id IN (SELECT addr_id FROM change_work_addr))
  GROUP BY o.addr_id
), r AS (
  SELECT addr_id, (lo // 2147483648)::INTEGER AS h, (lo % 2147483648)::INTEGER AS lo,
    (2147483647 - hi % 2147483648)::INTEGER AS hi
  FROM m
)
SELECT addr_id, lo AS tx_id FROM r WHERE lo = hi
UNION ALL
SELECT r.addr_id, arg_min(o.tx_id, x.txid) AS tx_id
FROM r
JOIN utxo_output_ids o ON o.addr_id = r.addr_id
JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = o.tx_id AND f.block_height = r.h
JOIN tx_ids x ON x.id = o.tx_id
WHERE r.lo <> r.hi
GROUP BY r.addr_id;
