-- name: watch.watchlist_delete
-- params: $name VARCHAR
DELETE FROM watchlists WHERE name = $name;
