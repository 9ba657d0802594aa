-- name: watch.watchlist_upsert
-- params: $name VARCHAR, $now VARCHAR
INSERT INTO watchlists (name, created_at, updated_at) VALUES ($name, $now::TIMESTAMP, $now::TIMESTAMP)
ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at;
