-- name: account.recount_asset_totals
-- params: (none)
-- Per-asset totals of the dirty addresses counted from every stored transfer (as migration 012 does).
INSERT INTO account_address_assets
WITH parties AS (
  SELECT chain, txid, asset, symbol, decimals, block_time, from_address AS address, 0::HUGEINT AS received,
    CASE WHEN success THEN value ELSE 0 END AS sent
  FROM account_transfers WHERE from_address IS NOT NULL
  UNION ALL
  SELECT chain, txid, asset, symbol, decimals, block_time, to_address, CASE WHEN success THEN value ELSE 0 END,
    0::HUGEINT
  FROM account_transfers WHERE to_address IS NOT NULL
)
SELECT chain, address, asset, any_value(symbol), any_value(decimals), count(DISTINCT txid), sum(received)::HUGEINT,
  sum(sent)::HUGEINT, min(block_time), max(block_time)
FROM parties p
WHERE EXISTS (SELECT 1 FROM account_totals_dirty d WHERE d.chain = p.chain AND d.address = p.address)
GROUP BY chain, address, asset;
