-- name: sync.add_window
-- params: $source VARCHAR, $chain VARCHAR, $address VARCHAR, $since BIGINT, $until BIGINT
-- Records that the address was ingested for this time window (once per window).
INSERT INTO ingest_windows (source, chain, address, since, until, updated_at)
SELECT $source, $chain, $address, $since, $until, current_timestamp
WHERE NOT EXISTS (
  SELECT 1 FROM ingest_windows
  WHERE source = $source AND chain = $chain AND address = $address
    AND since IS NOT DISTINCT FROM $since AND until IS NOT DISTINCT FROM $until
);
