-- name: trace.ingested_version
-- params: $chain VARCHAR
SELECT count(*)::BIGINT AS n, coalesce(max(updated_at)::VARCHAR, '') AS at FROM sync_cursors WHERE chain = $chain;
