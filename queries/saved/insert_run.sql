-- name: saved.insert_run
-- params: $id VARCHAR, $query_name VARCHAR, $started_at VARCHAR, $params JSON, $digest VARCHAR, $result JSON
INSERT INTO query_runs (id, query_name, started_at, finished_at, params, digest, result)
VALUES ($id, $query_name, $started_at::TIMESTAMP, current_timestamp, $params, $digest, $result);
