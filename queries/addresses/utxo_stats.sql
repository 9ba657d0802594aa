-- name: addresses.utxo_stats
-- params: $chain VARCHAR, $address VARCHAR
-- Totals over stored UTXO data for one address (confirmed and unconfirmed).
WITH rx AS (
  SELECT o.txid, o.value FROM utxo_outputs o WHERE o.chain = $chain AND o.address = $address
), tx_in AS (
  SELECT i.txid, i.value FROM utxo_inputs i WHERE i.chain = $chain AND i.address = $address
), txs AS (
  SELECT txid FROM rx UNION SELECT txid FROM tx_in
)
SELECT
  (SELECT count(*) FROM txs)::BIGINT AS tx_count,
  (SELECT coalesce(sum(value), 0) FROM rx)::HUGEINT AS received,
  (SELECT coalesce(sum(value), 0) FROM tx_in)::HUGEINT AS sent,
  (SELECT min(t.block_time) FROM utxo_txs t JOIN txs USING (txid) WHERE t.chain = $chain) AS first_seen,
  (SELECT max(t.block_time) FROM utxo_txs t JOIN txs USING (txid) WHERE t.chain = $chain) AS last_seen,
  (SELECT count(*) FROM utxo_txs t JOIN txs USING (txid) WHERE t.chain = $chain AND NOT t.confirmed)::BIGINT AS unconfirmed;
