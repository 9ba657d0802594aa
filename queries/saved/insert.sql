-- name: saved.insert
-- params: $name VARCHAR, $params JSON
INSERT INTO saved_queries (name, params, created_at, updated_at) VALUES ($name, $params, current_timestamp, current_timestamp);
