-- name: bench.watch_sample
-- params: $n BIGINT
-- A spread of addresses that spent coins in the generated store (the bench's watched customers).
SELECT address FROM (SELECT DISTINCT address FROM utxo_inputs WHERE address IS NOT NULL)
ORDER BY hash(address) LIMIT $n;
