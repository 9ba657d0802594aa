-- name: saved.update_params
-- params: $name VARCHAR, $params JSON
UPDATE saved_queries SET params = $params, updated_at = current_timestamp WHERE name = $name;
