-- name: cluster.mark_coinjoin
-- params: $txid VARCHAR, $kind VARCHAR
UPDATE cluster_work_tx SET coinjoin = $kind WHERE txid = $txid;
