-- name: utxo.upsert_tx
-- params: $chain VARCHAR, $txid VARCHAR, $block_height INTEGER, $block_hash VARCHAR, $block_time BIGINT, $confirmed BOOLEAN, $fee HUGEINT, $size INTEGER, $weight INTEGER, $version INTEGER, $locktime BIGINT, $input_count INTEGER, $output_count INTEGER
-- Idempotent: a re-fetched or newly confirmed transaction replaces its row.
INSERT INTO utxo_txs (chain, txid, block_height, block_hash, block_time, confirmed, fee, size, weight, version, locktime, input_count, output_count)
VALUES ($chain, $txid, $block_height, $block_hash, $block_time, $confirmed, $fee, $size, $weight, $version, $locktime, $input_count, $output_count)
ON CONFLICT (chain, txid) DO UPDATE SET
  block_height = excluded.block_height, block_hash = excluded.block_hash, block_time = excluded.block_time,
  confirmed = excluded.confirmed, fee = excluded.fee, size = excluded.size, weight = excluded.weight,
  version = excluded.version, locktime = excluded.locktime, input_count = excluded.input_count,
  output_count = excluded.output_count;
