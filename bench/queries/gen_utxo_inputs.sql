-- name: bench.gen_utxo_inputs
-- params: $n_txs BIGINT, $inputs_per_tx INTEGER, $n_addresses BIGINT
-- Half the inputs spend from one-time addresses, half from a heavy-tailed pool of reused ones (low ids reused most).
INSERT INTO utxo_inputs (chain, txid, vin, prev_txid, prev_vout, address, value, script_type, is_coinbase, sequence)
SELECT 'bitcoin', printf('%064x', i), v::INTEGER, printf('%064x', hash(i, v) % 100000000), 0,
       CASE WHEN hash(i, v, 1) % 2 = 0 THEN 'bc1q' || printf('%034x', 100000000000 + i * 4 + v)
            ELSE 'bc1q' || printf('%034x', (pow(((hash(i * 7 + v) % 1000000) + 1) / 1000000.0, 2) * $n_addresses::BIGINT)::BIGINT)
       END,
       10000, 'v0_p2wpkh', false, 4294967293
FROM range($n_txs::BIGINT) t(i), range($inputs_per_tx::BIGINT) u(v);
