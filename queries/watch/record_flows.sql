-- name: watch.record_flows
-- params: $watchlist VARCHAR, $batch VARCHAR
-- Every flow between the watchlist's addresses and their counterparties in the stored transactions it
-- has not screened yet. UTXO: a watched input and each other output of its transaction ('out', the
-- outputs' sum), or each other input of a transaction paying a watched output ('in'); account
-- chains: transfers (fees and failed calls move nothing).
INSERT INTO watch_flows (watchlist, batch, chain, wallet, counterparty, txid, direction, asset, symbol, decimals, amount)
WITH w AS (
  SELECT chain, address FROM watchlist_addresses WHERE watchlist = $watchlist
),
done AS (
  SELECT chain, txid FROM watch_screened WHERE watchlist = $watchlist
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
flows AS (
  SELECT wi.chain, wi.address AS wallet, o.address AS counterparty, wi.txid, 'out' AS direction,
         NULL::VARCHAR AS asset, NULL::VARCHAR AS symbol, NULL::INTEGER AS decimals, sum(o.value) AS amount
  FROM wi JOIN utxo_outputs o ON o.chain = wi.chain AND o.txid = wi.txid
  WHERE o.address IS NOT NULL AND o.address <> wi.address
  GROUP BY wi.chain, wi.address, o.address, wi.txid
  UNION ALL
  SELECT wo.chain, wo.address, i.address, wo.txid, 'in', NULL, NULL, NULL, any_value(wo.value)
  FROM wo JOIN utxo_inputs i ON i.chain = wo.chain AND i.txid = wo.txid
  WHERE i.address IS NOT NULL AND i.address <> wo.address
  GROUP BY wo.chain, wo.address, i.address, wo.txid
  UNION ALL
  SELECT t.chain, t.from_address, t.to_address, t.txid, 'out', t.asset, any_value(t.symbol), any_value(t.decimals), sum(t.value)
  FROM account_transfers t JOIN w ON w.chain = t.chain AND w.address = t.from_address
  ANTI JOIN done ON done.chain = t.chain AND done.txid = t.txid
  WHERE t.success AND t.kind <> 'fee' AND t.to_address IS NOT NULL AND t.to_address <> t.from_address
  GROUP BY t.chain, t.from_address, t.to_address, t.txid, t.asset
  UNION ALL
  SELECT t.chain, t.to_address, t.from_address, t.txid, 'in', t.asset, any_value(t.symbol), any_value(t.decimals), sum(t.value)
  FROM account_transfers t JOIN w ON w.chain = t.chain AND w.address = t.to_address
  ANTI JOIN done ON done.chain = t.chain AND done.txid = t.txid
  WHERE t.success AND t.kind <> 'fee' AND t.from_address IS NOT NULL AND t.to_address <> t.from_address
  GROUP BY t.chain, t.to_address, t.from_address, t.txid, t.asset
)
SELECT $watchlist, $batch, chain, wallet, counterparty, txid, direction, asset, symbol, decimals, amount FROM flows;
