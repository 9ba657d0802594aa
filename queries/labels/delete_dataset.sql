-- name: labels.delete_dataset
-- params: $dataset VARCHAR
-- Removes every label of one dataset before its newer version is appended (delistings disappear).
DELETE FROM labels WHERE dataset = $dataset;
