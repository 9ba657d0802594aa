-- name: account.drop_dirty_asset_totals
-- params: (none)
DELETE FROM account_address_assets a
WHERE EXISTS (SELECT 1 FROM account_totals_dirty d WHERE d.chain = a.chain AND d.address = a.address);
