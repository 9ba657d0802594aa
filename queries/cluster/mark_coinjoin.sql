-- name: cluster.mark_coinjoin
-- params: $tx_id INTEGER, $kind VARCHAR
UPDATE cluster_work_tx SET coinjoin = $kind WHERE tx_id = $tx_id;
