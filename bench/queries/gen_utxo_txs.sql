-- name: bench.gen_utxo_txs
-- params: $n_txs BIGINT, $inputs_per_tx INTEGER
-- Synthetic confirmed transactions for the clustering bench (no user input reaches this).
INSERT INTO utxo_txs (chain, txid, block_height, block_hash, block_time, confirmed, fee, size, weight, version, locktime, input_count, output_count)
SELECT 'bitcoin', printf('%064x', i), 800000 + (i // 2000)::INTEGER, printf('%064x', i // 2000), 1700000000 + i // 2000 * 600,
       true, 1000, 250, 1000, 2, 0, $inputs_per_tx, 2
FROM range($n_txs::BIGINT) t(i);
