-- name: bench.gen_utxo_outputs
-- params: $n_txs BIGINT, $n_addresses BIGINT
-- Two outputs per tx, shaped for the change heuristics: vout 0 a payment to an address of the inputs'
-- reused pool (a round amount in one tx of three, a P2PKH script in one of four); vout 1 change to a
-- one-time address of the inputs' type, below every input (10000 sat).
INSERT INTO utxo_outputs (chain, txid, vout, address, value, script_type, spent_by_txid, spent_by_vin)
SELECT 'bitcoin', printf('%064x', i), v::INTEGER,
       CASE WHEN v = 0 THEN 'bc1q' || printf('%034x', hash(i, 3) % $n_addresses::BIGINT)
            ELSE 'bc1q' || printf('%034x', 200000000000 + i) END,
       CASE WHEN v = 1 THEN 5000 + i % 997 WHEN i % 3 = 0 THEN 10000 * (1 + hash(i, 5) % 20) ELSE 9000 + i % 13 END,
       CASE WHEN v = 0 AND i % 4 = 0 THEN 'p2pkh' ELSE 'v0_p2wpkh' END, NULL, NULL
FROM range($n_txs::BIGINT) t(i), range(2) u(v);
