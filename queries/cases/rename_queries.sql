-- name: cases.rename_queries
-- params: $name VARCHAR, $new_name VARCHAR
UPDATE case_queries SET case_name = $new_name WHERE case_name = $name;
