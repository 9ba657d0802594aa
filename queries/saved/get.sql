-- name: saved.get
-- params: $name VARCHAR
SELECT name, params::VARCHAR AS params, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at FROM saved_queries WHERE name = $name;
