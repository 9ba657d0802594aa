-- name: saved.delete_runs
-- params: $name VARCHAR
DELETE FROM query_runs WHERE query_name = $name;
