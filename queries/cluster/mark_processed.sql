-- name: cluster.mark_processed
-- params: $chain VARCHAR
-- The work set never holds an already processed tx (a full run resets first), so a plain insert keeps rows unique.
INSERT INTO cluster_txs (chain, txid, coinjoin) SELECT $chain, txid, coinjoin FROM cluster_work_tx;
