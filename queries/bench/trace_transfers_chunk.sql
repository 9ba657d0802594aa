-- name: bench.trace_transfers_chunk
-- params: $chain VARCHAR, $lo BIGINT, $hi BIGINT
-- One slice of blocks [lo, hi) as columns, in chain order (what CsrBuilder.addTransfers takes).
SELECT txid, kind, seq, block_number, tx_index, from_address, to_address, asset, value, success
FROM account_transfers
WHERE chain = $chain AND block_number >= $lo AND block_number < $hi
ORDER BY block_number, tx_index, seq, txid;
