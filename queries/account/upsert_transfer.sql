-- name: account.upsert_transfer
-- params: $chain VARCHAR, $txid VARCHAR, $kind VARCHAR, $seq INTEGER, $block_number BIGINT, $block_hash VARCHAR, $block_time BIGINT, $tx_index INTEGER, $log_index INTEGER, $trace_address VARCHAR, $from_address VARCHAR, $to_address VARCHAR, $asset VARCHAR, $symbol VARCHAR, $decimals INTEGER, $value HUGEINT, $success BOOLEAN
-- Idempotent: the same transfer seen again (another address's ingest, a rerun) replaces its row.
INSERT INTO account_transfers (chain, txid, kind, seq, block_number, block_hash, block_time, tx_index, log_index, trace_address,
  from_address, to_address, asset, symbol, decimals, value, success)
VALUES ($chain, $txid, $kind, $seq, $block_number, $block_hash, $block_time, $tx_index, $log_index, $trace_address,
  $from_address, $to_address, $asset, $symbol, $decimals, $value, $success)
ON CONFLICT (chain, txid, kind, seq) DO UPDATE SET
  block_number = excluded.block_number, block_hash = excluded.block_hash, block_time = excluded.block_time,
  tx_index = excluded.tx_index, log_index = excluded.log_index, trace_address = excluded.trace_address,
  from_address = excluded.from_address, to_address = excluded.to_address, asset = excluded.asset,
  symbol = excluded.symbol, decimals = excluded.decimals, value = excluded.value, success = excluded.success;
