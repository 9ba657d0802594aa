-- name: labels.import_by_hash
-- params: $source_hash VARCHAR, $dataset VARCHAR
-- The import of a file with these exact bytes (into this dataset, when one is named), if any:
-- re-importing it changes nothing.
SELECT dataset, format, source_file, source_hash, rows, skipped, authority,
  strftime(imported_at, '%Y-%m-%dT%H:%M:%SZ') AS imported_at
FROM label_imports WHERE source_hash = $source_hash AND ($dataset IS NULL OR dataset = $dataset)
ORDER BY dataset LIMIT 1;
