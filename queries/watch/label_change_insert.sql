-- name: watch.label_change_insert
-- params: $id VARCHAR, $dataset VARCHAR, $source_hash VARCHAR, $change JSON, $now VARCHAR
INSERT INTO label_changes (id, dataset, source_hash, change, created_at)
VALUES ($id, $dataset, $source_hash, $change, $now::TIMESTAMP);
