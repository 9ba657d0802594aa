-- name: alerts.insert
-- params: $rows JSON, $now VARCHAR
-- New alerts, a JSON array of rows; one whose dedup_key exists already (the same trigger and fact) is
-- skipped. Returns the ids written.
INSERT INTO alerts (id, dedup_key, trigger, kind, chain, address, category, categories, endpoint, amount,
  previous_amount, asset, symbol, decimals, direction, path, query_name, run_id, watchlist, detail, message,
  created_at, status)
SELECT id, dedup_key, trigger, kind, chain, address, category, categories, endpoint, amount::HUGEINT,
  previous_amount::HUGEINT, asset, symbol, decimals, direction, path, query_name, run_id, watchlist, detail,
  message, $now::TIMESTAMP, 'new'
FROM (
  SELECT unnest(CAST($rows::JSON AS STRUCT(id VARCHAR, dedup_key VARCHAR, trigger VARCHAR, kind VARCHAR,
    chain VARCHAR, address VARCHAR, category VARCHAR, categories VARCHAR[], endpoint VARCHAR, amount VARCHAR,
    previous_amount VARCHAR, asset VARCHAR, symbol VARCHAR, decimals INTEGER, direction VARCHAR, path VARCHAR[],
    query_name VARCHAR, run_id VARCHAR, watchlist VARCHAR, detail JSON, message VARCHAR)[]), recursive := true)
)
ON CONFLICT DO NOTHING
RETURNING id;
