-- name: labels.diff_dataset
-- params: $dataset VARCHAR, $staged VARCHAR
-- What replacing a dataset's rows by the rows staged under another dataset id would change. A label is
-- its attribution (chain, address, category, label text): a new source date, confidence or reference on
-- the same attribution is an update, neither added nor removed. Also the addresses that lose every label
-- of the dataset. One scan: each attribution counted in the old (o) and the staged (n) rows.
WITH c AS MATERIALIZED (
  SELECT chain, address, category, label,
    count(*) FILTER (WHERE dataset = $dataset) AS o, count(*) FILTER (WHERE dataset = $staged) AS n
  FROM labels WHERE dataset = $dataset OR dataset = $staged
  GROUP BY chain, address, category, label
), a AS (
  SELECT sum(o) AS o, sum(n) AS n FROM c GROUP BY chain, address
)
SELECT
  coalesce((SELECT sum(o) FROM c), 0)::BIGINT AS previous_rows,
  (SELECT count(*) FILTER (WHERE o > 0) FROM a)::BIGINT AS previous_addresses,
  coalesce((SELECT sum(greatest(n - o, 0)) FROM c), 0)::BIGINT AS added,
  coalesce((SELECT sum(greatest(o - n, 0)) FROM c), 0)::BIGINT AS removed,
  (SELECT count(*) FILTER (WHERE o > 0 AND n = 0) FROM a)::BIGINT AS removed_addresses;
