-- name: watch.watchlist_list
-- params: (none)
SELECT w.name, strftime(w.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
       strftime(w.updated_at, '%Y-%m-%dT%H:%M:%SZ') AS updated_at, count(a.address)::INTEGER AS addresses
FROM watchlists w LEFT JOIN watchlist_addresses a ON a.watchlist = w.name
GROUP BY w.name, w.created_at, w.updated_at ORDER BY w.name;
