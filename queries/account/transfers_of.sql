-- name: account.transfers_of
-- params: $chain VARCHAR, $addresses VARCHAR[]
-- Every stored transfer touching these addresses, in chain order.
SELECT txid, kind, seq, block_number, block_hash, block_time, tx_index, log_index, trace_address, from_address, to_address,
       asset, symbol, decimals, value, success
FROM account_transfers
WHERE chain = $chain AND (from_address IN (SELECT unnest($addresses)) OR to_address IN (SELECT unnest($addresses)))
ORDER BY block_number, tx_index, kind, seq;
