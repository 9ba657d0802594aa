-- name: labels.dataset_summary
-- params: $dataset VARCHAR, $authority INTEGER
-- What replacing a dataset with the file in label_work would delist, weighed before it is committed:
-- the dataset's addresses, those the file no longer has, and whether any stored label is
-- authority-grade (a sanctions list, a seizure order).
SELECT count(DISTINCT (l.chain, l.address))::BIGINT AS addresses,
       count(DISTINCT (l.chain, l.address)) FILTER (
         WHERE NOT EXISTS (SELECT 1 FROM label_work w WHERE w.chain = l.chain AND w.address = l.address)
       )::BIGINT AS delisted,
       coalesce(bool_or(l.confidence >= $authority), false) AS authority
FROM labels l WHERE l.dataset = $dataset;
