-- name: labels.key_changes
-- params: $dataset VARCHAR, $staged VARCHAR, $categories VARCHAR[]
-- What replacing a dataset's rows by the staged ones adds and removes by (chain, address, category): a
-- new label name or program on the same key is not a change. One row per key, its label row with the
-- smallest label text (the staged one for an added key, the stored one for a removed key). Only keys
-- of these categories (NULL: all).
WITH k AS (
  SELECT chain, address, category, bool_or(dataset = $dataset) AS was, bool_or(dataset = $staged) AS will
  FROM labels
  WHERE (dataset = $dataset OR dataset = $staged) AND ($categories IS NULL OR list_contains($categories, category))
  GROUP BY chain, address, category
  HAVING bool_or(dataset = $dataset) <> bool_or(dataset = $staged)
)
SELECT k.will AS added, l.chain, l.address, l.currency, l.label, l.category, l.source, l.confidence, l.program,
  l.reference, l.cluster_defining, l.actor, l.source_file, l.source_hash, strftime(l.imported_at, '%Y-%m-%dT%H:%M:%SZ') AS imported_at
FROM k JOIN labels l ON l.chain = k.chain AND l.address = k.address AND l.category = k.category
  AND l.dataset = CASE WHEN k.will THEN $staged ELSE $dataset END
QUALIFY row_number() OVER (PARTITION BY l.chain, l.address, l.category ORDER BY l.label) = 1
ORDER BY l.chain, l.address, l.category;
