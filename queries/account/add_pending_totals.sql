-- name: account.add_pending_totals
-- params: (none)
-- The staged transfers not stored yet, as additions to their parties' totals: per asset, and (asset
-- NULL) the transactions over all assets. A transaction counts once per address (and asset): not
-- again when a stored transfer of it already involves the address (and asset).
INSERT INTO account_totals_pending
WITH new AS (
  SELECT s.* FROM account_transfers_stage s
  WHERE NOT EXISTS (
    SELECT 1 FROM account_transfers_seen o
    WHERE o.chain = s.chain AND o.txid = s.txid AND o.kind = s.kind AND o.seq = s.seq
  )
), parties AS (
  SELECT chain, txid, asset, symbol, decimals, block_time, from_address AS address, 0::HUGEINT AS received,
    CASE WHEN success THEN value ELSE 0 END AS sent
  FROM new WHERE from_address IS NOT NULL
  UNION ALL
  SELECT chain, txid, asset, symbol, decimals, block_time, to_address, CASE WHEN success THEN value ELSE 0 END,
    0::HUGEINT
  FROM new WHERE to_address IS NOT NULL
), per_tx AS (
  -- one row per party, asset and transaction
  SELECT chain, address, asset, txid, any_value(symbol) AS symbol, any_value(decimals) AS decimals,
    sum(received) AS received, sum(sent) AS sent, min(block_time) AS first_seen, max(block_time) AS last_seen
  FROM parties GROUP BY chain, address, asset, txid
), old AS (
  SELECT chain, txid, from_address AS address, asset FROM account_transfers_seen WHERE from_address IS NOT NULL
  UNION ALL
  SELECT chain, txid, to_address, asset FROM account_transfers_seen WHERE to_address IS NOT NULL
)
SELECT p.chain, p.address, p.asset, any_value(p.symbol), any_value(p.decimals),
  count(*) FILTER (WHERE NOT EXISTS (
    SELECT 1 FROM old o WHERE o.chain = p.chain AND o.txid = p.txid AND o.address = p.address AND o.asset = p.asset
  )),
  sum(p.received)::HUGEINT, sum(p.sent)::HUGEINT, min(p.first_seen), max(p.last_seen)
FROM per_tx p
GROUP BY p.chain, p.address, p.asset
UNION ALL
SELECT p.chain, p.address, NULL, NULL, NULL, count(*), NULL, NULL, NULL, NULL
FROM (SELECT DISTINCT chain, address, txid FROM per_tx) p
WHERE NOT EXISTS (SELECT 1 FROM old o WHERE o.chain = p.chain AND o.txid = p.txid AND o.address = p.address)
GROUP BY p.chain, p.address;
