-- name: cases.get
-- params: $name VARCHAR
SELECT name, title, description, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
       strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') AS updated_at
FROM cases WHERE name = $name;
