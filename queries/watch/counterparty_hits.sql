-- name: watch.counterparty_hits
-- params: $watchlist VARCHAR, $batch VARCHAR, $categories VARCHAR[], $evm VARCHAR[]
-- The flows one screening recorded (watch.record_flows, same batch) whose counterparty is labelled in
-- $categories. A label on one EVM chain counts on every EVM chain ($evm): they share addresses.
WITH risky AS (
  SELECT chain, address, list(DISTINCT category ORDER BY category) AS categories
  FROM labels WHERE list_contains($categories, category) GROUP BY chain, address
)
SELECT f.chain, f.wallet, f.counterparty, f.txid, f.direction, f.asset, f.symbol, f.decimals, f.amount,
       list_sort(list_distinct(flatten(list(r.categories)))) AS categories
FROM watch_flows f JOIN risky r ON r.address = f.counterparty
  AND (r.chain = f.chain OR (list_contains($evm, r.chain) AND list_contains($evm, f.chain)))
WHERE f.watchlist = $watchlist AND f.batch = $batch
GROUP BY ALL
ORDER BY f.chain, f.wallet, f.txid, f.counterparty, f.direction, f.asset;
