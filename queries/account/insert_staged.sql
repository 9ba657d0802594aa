-- name: account.insert_staged
-- params: (none)
-- The staged transfers not stored yet (the writer stages each key once; stage_seen found the stored ones).
INSERT INTO account_transfers (chain, txid, kind, seq, block_number, block_hash, block_time, tx_index, log_index,
  trace_address, from_address, to_address, asset, symbol, decimals, value, success)
SELECT s.chain, s.txid, s.kind, s.seq, s.block_number, s.block_hash, s.block_time, s.tx_index, s.log_index,
  s.trace_address, s.from_address, s.to_address, s.asset, s.symbol, s.decimals, s.value, s.success
FROM account_transfers_stage s
WHERE NOT EXISTS (
  SELECT 1 FROM account_transfers_seen t WHERE t.chain = s.chain AND t.txid = s.txid AND t.kind = s.kind AND t.seq = s.seq
);
