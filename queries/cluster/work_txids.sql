-- name: cluster.work_txids
-- params: (none)
SELECT w.tx_id, x.txid FROM cluster_work_tx w JOIN tx_ids x ON x.id = w.tx_id
WHERE w.coinjoin IS NULL ORDER BY w.tx_id;
