-- name: account.recount_address_txs
-- params: (none)
-- Transaction counts of the dirty addresses counted from every stored transfer.
INSERT INTO account_address_txs
SELECT chain, address, count(DISTINCT txid)
FROM account_transfer_parties p
WHERE EXISTS (SELECT 1 FROM account_totals_dirty d WHERE d.chain = p.chain AND d.address = p.address)
GROUP BY chain, address;
