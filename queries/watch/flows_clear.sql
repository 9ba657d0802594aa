-- name: watch.flows_clear
-- params: $name VARCHAR
DELETE FROM watch_flows WHERE watchlist = $name;
