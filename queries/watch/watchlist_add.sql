-- name: watch.watchlist_add
-- params: $name VARCHAR, $chains VARCHAR[], $addresses VARCHAR[]
-- $chains and $addresses are parallel lists of normalised, distinct entries.
INSERT INTO watchlist_addresses (watchlist, chain, address)
SELECT $name, unnest($chains), unnest($addresses);
