-- name: watch.watchlist_clear
-- params: $name VARCHAR
-- Before a watchlist's addresses are written again (create --replace) or it is deleted.
DELETE FROM watchlist_addresses WHERE watchlist = $name;
