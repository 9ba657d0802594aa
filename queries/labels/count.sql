-- name: labels.count
-- params: $chain VARCHAR, $category VARCHAR, $dataset VARCHAR
SELECT count(*)::BIGINT AS n FROM labels
WHERE ($chain IS NULL OR chain = $chain)
  AND ($category IS NULL OR category = $category)
  AND ($dataset IS NULL OR dataset = $dataset);
