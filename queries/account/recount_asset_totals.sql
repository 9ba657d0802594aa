-- name: account.recount_asset_totals
-- params: (none)
-- Per-asset totals of the dirty addresses counted from every stored transfer (as migration 012 does).
INSERT INTO account_address_assets
SELECT chain, address, asset, any_value(symbol), any_value(decimals), count(DISTINCT txid), sum(received)::HUGEINT,
  sum(sent)::HUGEINT, min(block_time), max(block_time)
FROM account_transfer_parties p
WHERE EXISTS (SELECT 1 FROM account_totals_dirty d WHERE d.chain = p.chain AND d.address = p.address)
GROUP BY chain, address, asset;
