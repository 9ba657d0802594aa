-- name: watch.counterparty_hits
-- params: $watchlist VARCHAR, $categories VARCHAR[], $evm VARCHAR[]
-- Money between a watchlist's addresses and addresses labelled in $categories, in the stored
-- transactions of those addresses this watchlist has not screened yet. UTXO: a watched input paying a
-- labelled output ('out', the outputs' sum) or a labelled input paying a watched output ('in');
-- account chains: transfers (fees and failed calls move nothing). A label on one EVM chain counts on
-- every EVM chain ($evm): they share addresses.
WITH w AS (
  SELECT chain, address FROM watchlist_addresses WHERE watchlist = $watchlist
),
done AS (
  SELECT chain, txid FROM watch_screened WHERE watchlist = $watchlist
),
risky AS (
  SELECT chain, address, list(DISTINCT category ORDER BY category) AS categories
  FROM labels WHERE list_contains($categories, category) GROUP BY chain, address
),
wi AS (
  SELECT DISTINCT i.chain, i.txid, i.address FROM utxo_inputs i
  JOIN w ON w.chain = i.chain AND w.address = i.address
  ANTI JOIN done ON done.chain = i.chain AND done.txid = i.txid
),
wo AS (
  SELECT o.chain, o.txid, o.address, sum(o.value) AS value FROM utxo_outputs o
  JOIN w ON w.chain = o.chain AND w.address = o.address
  ANTI JOIN done ON done.chain = o.chain AND done.txid = o.txid
  GROUP BY o.chain, o.txid, o.address
),
hits AS (
  SELECT wi.chain, wi.address AS wallet, o.address AS counterparty, wi.txid, 'out' AS direction,
         NULL::VARCHAR AS asset, NULL::VARCHAR AS symbol, NULL::INTEGER AS decimals, sum(o.value) AS amount
  FROM wi JOIN utxo_outputs o ON o.chain = wi.chain AND o.txid = wi.txid
  WHERE o.address <> wi.address AND o.address IN (SELECT address FROM risky)
  GROUP BY wi.chain, wi.address, o.address, wi.txid
  UNION ALL
  SELECT wo.chain, wo.address, i.address, wo.txid, 'in', NULL, NULL, NULL, any_value(wo.value)
  FROM wo JOIN utxo_inputs i ON i.chain = wo.chain AND i.txid = wo.txid
  WHERE i.address <> wo.address AND i.address IN (SELECT address FROM risky)
  GROUP BY wo.chain, wo.address, i.address, wo.txid
  UNION ALL
  SELECT t.chain, t.from_address, t.to_address, t.txid, 'out', t.asset, any_value(t.symbol), any_value(t.decimals), sum(t.value)
  FROM account_transfers t JOIN w ON w.chain = t.chain AND w.address = t.from_address
  ANTI JOIN done ON done.chain = t.chain AND done.txid = t.txid
  WHERE t.success AND t.kind <> 'fee' AND t.to_address <> t.from_address AND t.to_address IN (SELECT address FROM risky)
  GROUP BY t.chain, t.from_address, t.to_address, t.txid, t.asset
  UNION ALL
  SELECT t.chain, t.to_address, t.from_address, t.txid, 'in', t.asset, any_value(t.symbol), any_value(t.decimals), sum(t.value)
  FROM account_transfers t JOIN w ON w.chain = t.chain AND w.address = t.to_address
  ANTI JOIN done ON done.chain = t.chain AND done.txid = t.txid
  WHERE t.success AND t.kind <> 'fee' AND t.to_address <> t.from_address AND t.from_address IN (SELECT address FROM risky)
  GROUP BY t.chain, t.to_address, t.from_address, t.txid, t.asset
)
SELECT h.chain, h.wallet, h.counterparty, h.txid, h.direction, h.asset, h.symbol, h.decimals, h.amount,
       list_sort(list_distinct(flatten(list(r.categories)))) AS categories
FROM hits h JOIN risky r ON r.address = h.counterparty
  AND (r.chain = h.chain OR (list_contains($evm, r.chain) AND list_contains($evm, h.chain)))
GROUP BY ALL
ORDER BY h.chain, h.wallet, h.txid, h.counterparty, h.direction, h.asset;
