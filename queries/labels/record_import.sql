-- name: labels.record_import
-- params: $dataset VARCHAR, $format VARCHAR, $source_file VARCHAR, $source_hash VARCHAR, $rows INTEGER, $skipped INTEGER, $authority BOOLEAN
INSERT OR REPLACE INTO label_imports (dataset, format, source_file, source_hash, rows, skipped, imported_at, authority)
VALUES ($dataset, $format, $source_file, $source_hash, $rows, $skipped, current_timestamp, $authority);
