-- name: cases.insert
-- params: $name VARCHAR, $title VARCHAR, $description VARCHAR
INSERT INTO cases (name, title, description, created_at, updated_at)
VALUES ($name, $title, $description, current_timestamp, current_timestamp);
