-- name: sync.windows_of
-- params: $chain VARCHAR, $addresses VARCHAR[]
-- The time windows of these addresses' windowed ingests, for those no source has ingested in full.
SELECT DISTINCT w.address, w.since, w.until FROM ingest_windows w
WHERE w.chain = $chain AND w.address IN (SELECT unnest($addresses))
  AND NOT EXISTS (SELECT 1 FROM sync_cursors c WHERE c.chain = w.chain AND c.address = w.address)
ORDER BY w.address, w.since NULLS FIRST, w.until NULLS LAST;
