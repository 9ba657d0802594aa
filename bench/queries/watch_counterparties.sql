-- name: bench.watch_counterparties
-- params: $watchlist VARCHAR, $n BIGINT, $seed INTEGER
-- Addresses the watchlist's addresses paid, in a seeded order (the bench lists some of them).
SELECT DISTINCT o.address FROM utxo_inputs i
JOIN watchlist_addresses w ON w.watchlist = $watchlist AND w.chain = i.chain AND w.address = i.address
JOIN utxo_outputs o ON o.chain = i.chain AND o.txid = i.txid
WHERE o.address <> i.address
ORDER BY hash(o.address, $seed) LIMIT $n;
