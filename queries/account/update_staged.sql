-- name: account.update_staged
-- params: (none)
-- A transfer seen again (another address's ingest, a rerun) replaces its stored row where it differs.
UPDATE account_transfers t SET
  block_number = s.block_number, block_hash = s.block_hash, block_time = s.block_time, tx_index = s.tx_index,
  log_index = s.log_index, trace_address = s.trace_address, from_address = s.from_address,
  to_address = s.to_address, asset = s.asset, symbol = s.symbol, decimals = s.decimals, value = s.value,
  success = s.success
FROM account_transfers_stage s
WHERE t.chain = s.chain AND t.txid = s.txid AND t.kind = s.kind AND t.seq = s.seq
  AND (t.block_number IS DISTINCT FROM s.block_number OR t.block_hash IS DISTINCT FROM s.block_hash
    OR t.block_time IS DISTINCT FROM s.block_time OR t.tx_index IS DISTINCT FROM s.tx_index
    OR t.log_index IS DISTINCT FROM s.log_index OR t.trace_address IS DISTINCT FROM s.trace_address
    OR t.from_address IS DISTINCT FROM s.from_address OR t.to_address IS DISTINCT FROM s.to_address
    OR t.asset IS DISTINCT FROM s.asset OR t.symbol IS DISTINCT FROM s.symbol
    OR t.decimals IS DISTINCT FROM s.decimals OR t.value IS DISTINCT FROM s.value
    OR t.success IS DISTINCT FROM s.success);
