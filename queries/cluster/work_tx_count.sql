-- name: cluster.work_tx_count
-- params: (none)
SELECT count(*)::INTEGER AS n FROM cluster_work_tx;
