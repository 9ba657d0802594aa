-- name: cluster.mark_processed
-- params: $chain VARCHAR
INSERT OR REPLACE INTO cluster_txs (chain, txid, coinjoin) SELECT $chain, txid, coinjoin FROM cluster_work_tx;
