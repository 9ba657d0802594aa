-- name: labels.import_by_hash
-- params: $source_hash VARCHAR
-- The import of a file with these exact bytes, if any (re-importing it changes nothing).
SELECT dataset, format, source_file, rows, skipped, strftime(imported_at, '%Y-%m-%dT%H:%M:%SZ') AS imported_at
FROM label_imports WHERE source_hash = $source_hash;
