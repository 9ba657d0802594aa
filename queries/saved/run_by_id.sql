-- name: saved.run_by_id
-- params: $query_name VARCHAR, $id VARCHAR
SELECT id, strftime(started_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS started_at, strftime(finished_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS finished_at,
       params::VARCHAR AS params, digest, result::VARCHAR AS result
FROM query_runs WHERE query_name = $query_name AND id = $id;
