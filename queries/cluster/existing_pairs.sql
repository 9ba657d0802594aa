-- name: cluster.existing_pairs
-- params: $chain VARCHAR
-- Existing clusters that an input of a new transaction belongs to, so new merges build on them.
-- One row per member: (group number, address id, cluster id), grouped by cluster. The cluster id is its
-- smallest member key, so it stands for every member's key when the new smallest key is sought.
WITH touched AS (
  SELECT DISTINCT i.addr_id FROM utxo_input_ids i WHERE i.tx_id IN (SELECT tx_id FROM cluster_work_tx)
), affected AS (
  SELECT DISTINCT m.cluster_id FROM cluster_member_ids m
  WHERE m.chain = $chain AND m.addr_id IN (SELECT addr_id FROM touched)
)
SELECT dense_rank() OVER (ORDER BY m.cluster_id)::INTEGER AS grp, m.addr_id, m.cluster_id
FROM cluster_member_ids m
WHERE m.chain = $chain AND m.cluster_id IN (SELECT cluster_id FROM affected)
ORDER BY grp;
