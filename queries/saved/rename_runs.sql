-- name: saved.rename_runs
-- params: $name VARCHAR, $new_name VARCHAR
UPDATE query_runs SET query_name = $new_name WHERE query_name = $name;
