-- name: cases.delete
-- params: $name VARCHAR
DELETE FROM cases WHERE name = $name;
