-- name: watch.label_hits
-- params: $addresses VARCHAR[]
-- Flows between watched addresses (any watchlist, as screened) and these addresses (those whose
-- labels changed): 'out' when the watched wallet paid it, 'in' when it paid the wallet. One row per
-- wallet, counterparty, transaction, direction and asset (UTXO rows have no asset).
WITH c AS (
  SELECT DISTINCT unnest($addresses) AS address
),
w AS (
  SELECT chain, address, list(watchlist ORDER BY watchlist) AS watchlists
  FROM watchlist_addresses GROUP BY chain, address
),
hits AS (
  SELECT DISTINCT f.chain, f.wallet, f.counterparty, f.txid, f.direction, f.asset, f.symbol, f.decimals, f.amount
  FROM watch_flows f SEMI JOIN c ON c.address = f.counterparty
)
SELECT h.chain, h.wallet, h.counterparty, h.txid, h.direction, h.asset, h.symbol, h.decimals, h.amount, w.watchlists
FROM hits h JOIN w ON w.chain = h.chain AND w.address = h.wallet
ORDER BY h.chain, h.wallet, h.counterparty, h.txid, h.direction, h.asset;
