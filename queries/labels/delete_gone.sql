-- name: labels.delete_gone
-- params: $dataset VARCHAR
-- Removes the dataset's rows the new file (label_work) no longer has, as a multiset: a row stored
-- three times that the file holds once loses two copies. Answers the count.
DELETE FROM labels WHERE rowid IN (
  WITH s AS (
    SELECT rowid AS rid, chain, address, currency, label, category, source, confidence, program, reference,
           cluster_defining, actor,
           row_number() OVER (PARTITION BY chain, address, currency, label, category, source, confidence,
                              program, reference, cluster_defining, actor ORDER BY rowid) AS k
    FROM labels WHERE dataset = $dataset
  ), w AS (
    SELECT chain, address, currency, label, category, source, confidence, program, reference,
           cluster_defining, actor, count(*) AS n
    FROM label_work
    GROUP BY ALL
  )
  SELECT s.rid FROM s
  WHERE NOT EXISTS (
    SELECT 1 FROM w
    WHERE w.chain = s.chain AND w.address = s.address AND w.label = s.label AND w.category = s.category
      AND w.source = s.source AND w.confidence = s.confidence AND w.cluster_defining = s.cluster_defining
      AND w.currency IS NOT DISTINCT FROM s.currency AND w.program IS NOT DISTINCT FROM s.program
      AND w.reference IS NOT DISTINCT FROM s.reference AND w.actor IS NOT DISTINCT FROM s.actor
      AND s.k <= w.n
  )
);
