-- name: bench.count_inputs
-- params: (none)
SELECT count(*)::BIGINT AS n, count(DISTINCT address)::BIGINT AS addresses FROM utxo_inputs;
