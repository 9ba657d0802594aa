-- name: watch.screened_clear
-- params: $name VARCHAR
DELETE FROM watch_screened WHERE watchlist = $name;
