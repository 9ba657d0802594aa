-- name: cases.delete_notes
-- params: $name VARCHAR
DELETE FROM case_notes WHERE case_name = $name;
