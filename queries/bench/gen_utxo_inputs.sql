-- name: bench.gen_utxo_inputs
-- params: $n_txs BIGINT, $inputs_per_tx INTEGER, $n_addresses BIGINT
-- Inputs spend coins of heavy-tailed owners: an address id drawn so that low ids are reused a lot.
INSERT INTO utxo_inputs (chain, txid, vin, prev_txid, prev_vout, address, value, script_type, is_coinbase, sequence)
SELECT 'bitcoin', printf('%064x', i), v::INTEGER, printf('%064x', hash(i, v) % 100000000), 0,
       'bc1q' || printf('%034x', (pow(((hash(i * 7 + v) % 1000000) + 1) / 1000000.0, 3) * $n_addresses::BIGINT)::BIGINT),
       10000, 'v0_p2wpkh', false, 4294967293
FROM range($n_txs::BIGINT) t(i), range($inputs_per_tx::BIGINT) u(v);
