-- name: addresses.utxo_stats
-- params: $chain VARCHAR, $address VARCHAR
-- Totals over stored UTXO data for one address, confirmed and pending (mempool) apart, as Esplora's
-- chain_stats and mempool_stats: an output is received, an input sent, in the transaction that holds it.
WITH rx AS (
  SELECT o.txid, o.value FROM utxo_outputs o WHERE o.chain = $chain AND o.address = $address
), tx_in AS (
  SELECT i.txid, i.value FROM utxo_inputs i WHERE i.chain = $chain AND i.address = $address
), txs AS (
  SELECT x.txid, coalesce(t.confirmed, false) AS confirmed, t.block_time
  FROM (SELECT txid FROM rx UNION SELECT txid FROM tx_in) x
  LEFT JOIN utxo_txs t ON t.chain = $chain AND t.txid = x.txid
)
SELECT
  (SELECT count(*) FROM txs WHERE confirmed)::BIGINT AS tx_count,
  (SELECT coalesce(sum(value), 0) FROM rx JOIN txs USING (txid) WHERE confirmed)::HUGEINT AS received,
  (SELECT coalesce(sum(value), 0) FROM tx_in JOIN txs USING (txid) WHERE confirmed)::HUGEINT AS sent,
  (SELECT min(block_time) FROM txs) AS first_seen,
  (SELECT max(block_time) FROM txs) AS last_seen,
  (SELECT count(*) FROM txs WHERE NOT confirmed)::BIGINT AS unconfirmed,
  (SELECT coalesce(sum(value), 0) FROM rx JOIN txs USING (txid) WHERE NOT confirmed)::HUGEINT AS pending_received,
  (SELECT coalesce(sum(value), 0) FROM tx_in JOIN txs USING (txid) WHERE NOT confirmed)::HUGEINT AS pending_sent;
