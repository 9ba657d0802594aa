-- name: cluster.work_txids
-- params: (none)
SELECT rank, txid FROM cluster_work_tx WHERE coinjoin IS NULL ORDER BY rank;
