-- name: cases.delete_queries
-- params: $name VARCHAR
DELETE FROM case_queries WHERE case_name = $name;
