-- name: cases.insert_note
-- params: $id VARCHAR, $case_name VARCHAR, $text VARCHAR
INSERT INTO case_notes (id, case_name, text, created_at) VALUES ($id, $case_name, $text, current_timestamp);
