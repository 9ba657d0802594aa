-- name: sync.cursors_of
-- params: $chain VARCHAR, $addresses VARCHAR[]
-- Which of these addresses have been ingested (by any source).
SELECT DISTINCT address FROM sync_cursors WHERE chain = $chain AND address IN (SELECT unnest($addresses));
