-- name: cluster.existing_pairs
-- params: $chain VARCHAR
-- The inputs of new transactions that belong to an existing cluster, so new merges build on it: one row
-- per such address (not per member of its cluster), (group number, address id, cluster id), grouped by
-- cluster. The cluster id is its smallest member key, so it stands for every member's key when the new
-- smallest key is sought; members not loaded follow their cluster when its id changes.
WITH touched AS (
  SELECT DISTINCT i.addr_id FROM utxo_input_ids i WHERE i.tx_id IN (SELECT tx_id FROM cluster_work_tx)
)
SELECT dense_rank() OVER (ORDER BY m.cluster_id)::INTEGER AS grp, m.addr_id, m.cluster_id
FROM cluster_member_ids m
WHERE m.chain = $chain AND m.addr_id IN (SELECT addr_id FROM touched)
ORDER BY grp;
