-- name: account.merge_asset_totals
-- params: (none)
-- Folds the pending per-asset additions into the per-asset totals (account.clear_pending_totals follows).
INSERT INTO account_address_assets AS a
SELECT chain, address, asset, any_value(symbol), any_value(decimals), sum(tx_count)::BIGINT,
  sum(received)::HUGEINT, sum(sent)::HUGEINT, min(first_seen), max(last_seen)
FROM account_totals_pending
WHERE asset IS NOT NULL
GROUP BY chain, address, asset
ON CONFLICT (chain, address, asset) DO UPDATE SET
  symbol = coalesce(a.symbol, excluded.symbol),
  decimals = coalesce(a.decimals, excluded.decimals),
  tx_count = a.tx_count + excluded.tx_count,
  received = a.received + excluded.received,
  sent = a.sent + excluded.sent,
  first_seen = least(a.first_seen, excluded.first_seen),
  last_seen = greatest(a.last_seen, excluded.last_seen);
