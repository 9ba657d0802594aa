-- name: bench.gen_utxo_fingerprints
-- params: (none)
-- What ingest writes with each tx (utxo_tx_fingerprints) for the generated rows; same statement as
-- migration 009 (shapes that can be a CoinJoin are left for the clustering run to check).
INSERT INTO utxo_tx_fingerprints
  (chain, tx_id, block_height, version, locktime, rbf, coinjoin, coinjoin_checked, in_type, min_in)
SELECT t.chain, x.id, CASE WHEN t.confirmed THEN t.block_height END, t.version, t.locktime, i.rbf, NULL,
  i.coinbase OR coalesce(i.n, 0) = 0 OR NOT coalesce(o.maybe_coinjoin, false), i.in_type, i.min_in
FROM utxo_txs t
JOIN tx_ids x ON x.txid = t.txid
LEFT JOIN (
  SELECT chain, txid, count(*) AS n, bool_or(is_coinbase) AS coinbase, min(value) AS min_in,
    CASE WHEN count(*) FILTER (WHERE sequence IS NULL) > 0 THEN NULL ELSE bool_or(sequence < 4294967294) END AS rbf,
    CASE WHEN count(DISTINCT coalesce(script_type, chr(0))) = 1 THEN any_value(script_type) END AS in_type
  FROM utxo_inputs GROUP BY chain, txid
) i ON i.chain = t.chain AND i.txid = t.txid
LEFT JOIN (
  SELECT chain, txid,
    count(*) > count(DISTINCT value) OR count(*) FILTER (WHERE script_type = 'op_return') = 1 AS maybe_coinjoin
  FROM utxo_outputs GROUP BY chain, txid
) o ON o.chain = t.chain AND o.txid = t.txid
ORDER BY x.id;
