-- name: saved.runs
-- params: $query_name VARCHAR, $limit BIGINT
-- Newest first.
SELECT id, strftime(started_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS started_at, strftime(finished_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS finished_at,
       digest, result::VARCHAR AS result
FROM query_runs WHERE query_name = $query_name ORDER BY finished_at DESC, started_at DESC LIMIT $limit;
