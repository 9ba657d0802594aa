-- name: cases.notes
-- params: $case_name VARCHAR
SELECT id, text, strftime(created_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS created_at
FROM case_notes WHERE case_name = $case_name ORDER BY created_at, id;
