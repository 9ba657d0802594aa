-- name: account.recount_address_txs
-- params: (none)
-- Transaction counts of the dirty addresses counted from every stored transfer.
INSERT INTO account_address_txs
WITH parties AS (
  SELECT chain, txid, from_address AS address FROM account_transfers WHERE from_address IS NOT NULL
  UNION ALL
  SELECT chain, txid, to_address FROM account_transfers WHERE to_address IS NOT NULL
)
SELECT chain, address, count(DISTINCT txid)
FROM parties p
WHERE EXISTS (SELECT 1 FROM account_totals_dirty d WHERE d.chain = p.chain AND d.address = p.address)
GROUP BY chain, address;
