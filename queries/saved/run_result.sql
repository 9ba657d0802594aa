-- name: saved.run_result
-- params: $id VARCHAR
SELECT result::VARCHAR AS result FROM query_runs WHERE id = $id;
