-- name: account.drop_dirty_address_txs
-- params: (none)
DELETE FROM account_address_txs a
WHERE EXISTS (SELECT 1 FROM account_totals_dirty d WHERE d.chain = a.chain AND d.address = a.address);
