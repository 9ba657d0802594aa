-- name: saved.rename
-- params: $name VARCHAR, $new_name VARCHAR
UPDATE saved_queries SET name = $new_name, updated_at = current_timestamp WHERE name = $name;
