-- name: bench.gen_utxo_outputs
-- params: $n_txs BIGINT
INSERT INTO utxo_outputs (chain, txid, vout, address, value, script_type, spent_by_txid, spent_by_vin)
SELECT 'bitcoin', printf('%064x', i), v::INTEGER, 'bc1q' || printf('%034x', hash(i, v, 3) % 50000000), 9000 + v * 7 + i % 13,
       'v0_p2wpkh', NULL, NULL
FROM range($n_txs::BIGINT) t(i), range(2) u(v);
