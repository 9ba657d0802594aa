-- name: change.work_range
-- params: (none)
SELECT coalesce(min(tx_id), 0)::INTEGER AS lo, coalesce(max(tx_id), -1)::INTEGER AS hi, count(*)::INTEGER AS n
FROM cluster_work_tx WHERE coinjoin IS NULL;
