-- name: account.drop_dirty_pending_totals
-- params: (none)
DELETE FROM account_totals_pending p
WHERE EXISTS (SELECT 1 FROM account_totals_dirty d WHERE d.chain = p.chain AND d.address = p.address);
