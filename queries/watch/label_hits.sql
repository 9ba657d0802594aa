-- name: watch.label_hits
-- params: $addresses VARCHAR[]
-- Money between watched addresses (any watchlist) and these addresses (those whose labels changed),
-- over every stored transaction: 'out' when the watched wallet paid it, 'in' when it paid the wallet.
-- One row per wallet, counterparty, transaction, direction and asset (UTXO rows have no asset).
WITH c AS (
  SELECT DISTINCT unnest($addresses) AS address
),
w AS (
  SELECT chain, address, list(watchlist ORDER BY watchlist) AS watchlists
  FROM watchlist_addresses GROUP BY chain, address
),
co AS (
  SELECT o.chain, o.txid, o.address, sum(o.value) AS value FROM utxo_outputs o
  SEMI JOIN c ON c.address = o.address GROUP BY o.chain, o.txid, o.address
),
ci AS (
  SELECT DISTINCT i.chain, i.txid, i.address FROM utxo_inputs i SEMI JOIN c ON c.address = i.address
),
hits AS (
  SELECT DISTINCT i.chain, i.address AS wallet, co.address AS counterparty, co.txid, 'out' AS direction,
         NULL::VARCHAR AS asset, NULL::VARCHAR AS symbol, NULL::INTEGER AS decimals, co.value AS amount
  FROM co JOIN utxo_inputs i ON i.chain = co.chain AND i.txid = co.txid
  WHERE i.address <> co.address
  UNION ALL
  SELECT ci.chain, o.address, ci.address, ci.txid, 'in', NULL, NULL, NULL, sum(o.value)
  FROM ci JOIN utxo_outputs o ON o.chain = ci.chain AND o.txid = ci.txid
  WHERE o.address <> ci.address
  GROUP BY ci.chain, o.address, ci.address, ci.txid
  UNION ALL
  SELECT t.chain, t.from_address, t.to_address, t.txid, 'out', t.asset, any_value(t.symbol), any_value(t.decimals), sum(t.value)
  FROM account_transfers t SEMI JOIN c ON c.address = t.to_address
  WHERE t.success AND t.kind <> 'fee' AND t.to_address <> t.from_address
  GROUP BY t.chain, t.from_address, t.to_address, t.txid, t.asset
  UNION ALL
  SELECT t.chain, t.to_address, t.from_address, t.txid, 'in', t.asset, any_value(t.symbol), any_value(t.decimals), sum(t.value)
  FROM account_transfers t SEMI JOIN c ON c.address = t.from_address
  WHERE t.success AND t.kind <> 'fee' AND t.to_address <> t.from_address
  GROUP BY t.chain, t.to_address, t.from_address, t.txid, t.asset
)
SELECT h.chain, h.wallet, h.counterparty, h.txid, h.direction, h.asset, h.symbol, h.decimals, h.amount, w.watchlists
FROM hits h JOIN w ON w.chain = h.chain AND w.address = h.wallet
ORDER BY h.chain, h.wallet, h.counterparty, h.txid, h.direction, h.asset;
