-- name: watch.watchlist_get
-- params: $name VARCHAR
SELECT w.name, strftime(w.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
       strftime(w.updated_at, '%Y-%m-%dT%H:%M:%SZ') AS updated_at,
       (SELECT count(*) FROM watchlist_addresses a WHERE a.watchlist = w.name)::INTEGER AS addresses
FROM watchlists w WHERE w.name = $name;
