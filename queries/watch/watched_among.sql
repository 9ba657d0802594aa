-- name: watch.watched_among
-- params: $addresses VARCHAR[]
-- Watchlist entries that are one of these addresses (the caller keeps those of the right chain space).
SELECT a.watchlist, a.chain, a.address
FROM watchlist_addresses a SEMI JOIN (SELECT unnest($addresses) AS address) c ON c.address = a.address
ORDER BY a.chain, a.address, a.watchlist;
