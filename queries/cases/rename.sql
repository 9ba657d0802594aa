-- name: cases.rename
-- params: $name VARCHAR, $new_name VARCHAR
UPDATE cases SET name = $new_name, updated_at = current_timestamp WHERE name = $name;
