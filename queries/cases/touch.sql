-- name: cases.touch
-- params: $name VARCHAR
UPDATE cases SET updated_at = current_timestamp WHERE name = $name;
