-- name: evidence.responses_for
-- params: $refs VARCHAR[]
-- Every logged response whose URL, request or body names one of the refs (txids, addresses).
WITH refs AS (SELECT DISTINCT unnest($refs) AS ref)
SELECT l.source, l.url, l.request, l.sha256, l.status,
       strftime(l.fetched_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS fetched_at,
       list(DISTINCT r.ref ORDER BY r.ref) AS refs
FROM response_log l
JOIN response_bodies b ON b.sha256 = l.sha256
JOIN refs r ON contains(b.body, r.ref) OR contains(l.url, r.ref) OR contains(l.request, r.ref)
GROUP BY l.source, l.url, l.request, l.sha256, l.status, l.fetched_at
ORDER BY l.fetched_at, l.source, l.url, l.request, l.sha256;
