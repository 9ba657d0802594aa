-- name: labels.changed_addresses
-- params: $dataset VARCHAR, $staged VARCHAR, $limit BIGINT
-- Addresses whose labels, as a lookup shows them, differ between the dataset's rows and the staged ones
-- (at most $limit + 1), and whether a cluster-defining label is among the differing rows (it concerns
-- every member of a cluster, not only its own address).
WITH c AS (
  SELECT address, cluster_defining,
    count(*) FILTER (WHERE dataset = $dataset) AS o, count(*) FILTER (WHERE dataset = $staged) AS n
  FROM labels WHERE dataset = $dataset OR dataset = $staged
  GROUP BY chain, address, currency, label, category, source, confidence, program, reference, cluster_defining, actor
)
SELECT address, bool_or(cluster_defining) AS cluster_defining
FROM c WHERE o <> n
GROUP BY address
LIMIT $limit + 1;
