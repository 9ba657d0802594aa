-- name: change.first_seen_ties
-- params: $chain VARCHAR, $ids INTEGER[]
-- For addresses paid by several stored confirmed txs of their first block: the first of those by txid.
WITH o AS (
  SELECT o.addr_id, o.tx_id, f.block_height AS h
  FROM utxo_output_ids o JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = o.tx_id
  WHERE f.block_height IS NOT NULL AND o.addr_id IN (SELECT unnest($ids))
), m AS (
  SELECT addr_id, min(h) AS h FROM o GROUP BY addr_id
)
SELECT o.addr_id, arg_min(o.tx_id, x.txid) AS tx_id
FROM o JOIN m ON m.addr_id = o.addr_id AND m.h = o.h JOIN tx_ids x ON x.id = o.tx_id
GROUP BY o.addr_id;
