-- name: cases.rename_notes
-- params: $name VARCHAR, $new_name VARCHAR
UPDATE case_notes SET case_name = $new_name WHERE case_name = $name;
