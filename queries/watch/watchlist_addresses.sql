-- name: watch.watchlist_addresses
-- params: $name VARCHAR
SELECT chain, address FROM watchlist_addresses WHERE watchlist = $name ORDER BY chain, address;
