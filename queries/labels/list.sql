-- name: labels.list
-- params: $chain VARCHAR, $category VARCHAR, $dataset VARCHAR, $limit BIGINT, $offset BIGINT
-- Filters are optional (NULL = any).
SELECT chain, address, currency, label, category, source, confidence, program, reference, cluster_defining,
       actor, dataset, source_file, source_hash, strftime(imported_at, '%Y-%m-%dT%H:%M:%SZ') AS imported_at
FROM labels
WHERE ($chain IS NULL OR chain = $chain)
  AND ($category IS NULL OR category = $category)
  AND ($dataset IS NULL OR dataset = $dataset)
ORDER BY chain, address, category, dataset, label
LIMIT $limit OFFSET $offset;
