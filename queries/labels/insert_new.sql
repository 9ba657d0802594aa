-- name: labels.insert_new
-- params: $dataset VARCHAR, $source_file VARCHAR, $source_hash VARCHAR, $imported_at TIMESTAMP
-- Adds the new file's rows (label_work) the dataset does not have yet, as a multiset: a row the file
-- holds twice and the store once is added once. Answers the count.
INSERT INTO labels (chain, address, currency, label, category, source, confidence, program, reference,
                    cluster_defining, dataset, source_file, source_hash, imported_at, actor)
WITH w AS (
  SELECT *, row_number() OVER (PARTITION BY chain, address, currency, label, category, source, confidence,
                               program, reference, cluster_defining, actor) AS k
  FROM label_work
), s AS (
  SELECT chain, address, currency, label, category, source, confidence, program, reference,
         cluster_defining, actor, count(*) AS n
  FROM labels WHERE dataset = $dataset
  GROUP BY ALL
)
SELECT w.chain, w.address, w.currency, w.label, w.category, w.source, w.confidence, w.program, w.reference,
       w.cluster_defining, $dataset, $source_file, $source_hash, $imported_at, w.actor
FROM w
WHERE NOT EXISTS (
  SELECT 1 FROM s
  WHERE w.chain = s.chain AND w.address = s.address AND w.label = s.label AND w.category = s.category
    AND w.source = s.source AND w.confidence = s.confidence AND w.cluster_defining = s.cluster_defining
    AND w.currency IS NOT DISTINCT FROM s.currency AND w.program IS NOT DISTINCT FROM s.program
    AND w.reference IS NOT DISTINCT FROM s.reference AND w.actor IS NOT DISTINCT FROM s.actor
    AND w.k <= s.n
);
