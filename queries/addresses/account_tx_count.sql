-- name: addresses.account_tx_count
-- params: $chain VARCHAR, $address VARCHAR
SELECT count(DISTINCT txid)::BIGINT AS n FROM account_transfers
WHERE chain = $chain AND (from_address = $address OR to_address = $address);
