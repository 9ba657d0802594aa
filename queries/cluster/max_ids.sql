-- name: cluster.max_ids
-- params: (none)
SELECT (SELECT coalesce(max(id), 0) FROM address_ids)::INTEGER AS addr,
       (SELECT coalesce(max(tx_id), 0) FROM cluster_work_tx)::INTEGER AS tx;
