-- name: labels.import_of
-- params: $dataset VARCHAR
-- The latest import of one dataset (an import replaces only a dataset of its own format).
SELECT dataset, format, source_file, source_hash, rows, skipped, authority,
  strftime(imported_at, '%Y-%m-%dT%H:%M:%SZ') AS imported_at
FROM label_imports WHERE dataset = $dataset;
