-- name: change.unchecked_coinjoins
-- params: $chain VARCHAR
-- Work transactions carried over from an older file whose CoinJoin shape was not looked at yet.
SELECT w.tx_id, x.txid FROM cluster_work_tx w
JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = w.tx_id
JOIN tx_ids x ON x.id = w.tx_id
WHERE w.coinjoin IS NULL AND NOT f.coinjoin_checked
ORDER BY w.tx_id;
