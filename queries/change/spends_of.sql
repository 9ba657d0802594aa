-- name: change.spends_of
-- params: $chain VARCHAR, $addresses VARCHAR[]
-- Fingerprints of the stored confirmed transactions spending from each of these addresses, in chain
-- order. rbf: some input's nSequence is below 0xfffffffe; NULL when a sequence is unknown.
WITH s AS (
  SELECT DISTINCT i.address, i.txid FROM utxo_inputs i
  WHERE i.chain = $chain AND i.address IN (SELECT unnest($addresses))
), f AS (
  SELECT i.txid,
    CASE WHEN count(*) FILTER (WHERE i.sequence IS NULL) > 0 THEN NULL
      ELSE bool_or(i.sequence < 4294967294) END AS rbf
  FROM utxo_inputs i WHERE i.chain = $chain AND i.txid IN (SELECT txid FROM s) GROUP BY i.txid
)
SELECT s.address, t.txid, t.version, t.locktime, f.rbf
FROM s
JOIN utxo_txs t ON t.chain = $chain AND t.txid = s.txid AND t.confirmed
JOIN f ON f.txid = s.txid
ORDER BY s.address, t.block_height, t.txid;
