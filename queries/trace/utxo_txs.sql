-- name: trace.utxo_txs
-- params: $chain VARCHAR, $after INTEGER, $upto INTEGER
-- Transactions with ids in (after, upto] and their block (2147483647: unconfirmed).
SELECT x.tx_id, coalesce(t.block_height, 2147483647)::INTEGER AS height
FROM utxo_tx_index x JOIN tx_ids i ON i.id = x.tx_id JOIN utxo_txs t ON t.chain = x.chain AND t.txid = i.txid
WHERE x.chain = $chain AND x.tx_id > $after AND x.tx_id <= $upto
ORDER BY x.tx_id;
