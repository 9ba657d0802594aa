-- name: labels.rename_dataset
-- params: $staged VARCHAR, $dataset VARCHAR
-- Staged rows become the dataset once its old rows are deleted (same transaction).
UPDATE labels SET dataset = $dataset WHERE dataset = $staged;
