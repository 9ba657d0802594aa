-- name: cluster.mark_processed
-- params: $chain VARCHAR
-- The work set never holds an already processed tx (a full run resets first), so a plain insert keeps rows unique.
INSERT INTO cluster_tx_ids (chain, tx_id, coinjoin) SELECT $chain, tx_id, coinjoin FROM cluster_work_tx;
