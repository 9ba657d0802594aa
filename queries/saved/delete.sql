-- name: saved.delete
-- params: $name VARCHAR
DELETE FROM saved_queries WHERE name = $name;
