-- name: labels.removed_sample
-- params: $dataset VARCHAR, $staged VARCHAR, $limit BIGINT
-- Some of the labels a replacement removes (see labels.diff_dataset), to name them in the answer.
SELECT chain, address, label, category FROM (
  SELECT chain, address, category, label FROM labels WHERE dataset = $dataset
  EXCEPT ALL
  SELECT chain, address, category, label FROM labels WHERE dataset = $staged
)
ORDER BY chain, address, category, label
LIMIT $limit;
