-- name: cluster.input_pairs
-- params: $chain VARCHAR
-- (tx rank, address rank) for every input of a new non-CoinJoin transaction with 2+ inputs, by tx.
SELECT w.rank AS tx, a.rank AS addr
FROM cluster_work_tx w
JOIN utxo_txs t ON t.chain = $chain AND t.txid = w.txid AND t.input_count >= 2
JOIN utxo_inputs i ON i.chain = $chain AND i.txid = w.txid
JOIN cluster_work_addr a ON a.address = i.address
WHERE w.coinjoin IS NULL
ORDER BY w.rank, i.vin;
