-- name: cases.update
-- params: $name VARCHAR, $title VARCHAR, $description VARCHAR
-- NULL keeps a field as it is.
UPDATE cases SET title = coalesce($title, title), description = coalesce($description, description),
  updated_at = current_timestamp
WHERE name = $name;
