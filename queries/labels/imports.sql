-- name: labels.imports
-- params: (none)
SELECT dataset, format, source_file, source_hash, rows, skipped, authority,
  strftime(imported_at, '%Y-%m-%dT%H:%M:%SZ') AS imported_at
FROM label_imports ORDER BY dataset;
