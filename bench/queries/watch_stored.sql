-- name: bench.watch_stored
-- params: $n BIGINT, $seed INTEGER
-- Stored output addresses in a seeded order (listed addresses that touch no watched wallet).
SELECT address FROM (SELECT DISTINCT address FROM utxo_outputs) ORDER BY hash(address, $seed) LIMIT $n;
