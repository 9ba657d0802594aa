-- name: cluster.fill_work_addr
-- params: $chain VARCHAR, $with_outputs BOOLEAN
-- The address id space: inputs of the new transactions (and their outputs when change may merge),
-- plus every member of an existing cluster one of them already belongs to. Ranks follow address
-- order, so a cluster's smallest rank is its smallest address (which names the cluster).
INSERT INTO cluster_work_addr (rank, address)
WITH touched AS (
  SELECT i.address FROM cluster_work_tx w JOIN utxo_inputs i ON i.chain = $chain AND i.txid = w.txid
  WHERE i.address IS NOT NULL
  UNION
  SELECT o.address FROM cluster_work_tx w JOIN utxo_outputs o ON o.chain = $chain AND o.txid = w.txid
  WHERE $with_outputs AND o.address IS NOT NULL
), affected AS (
  SELECT DISTINCT m.cluster_id FROM cluster_members m JOIN touched USING (address) WHERE m.chain = $chain
), space AS (
  SELECT address FROM touched
  UNION
  SELECT m.address FROM cluster_members m JOIN affected USING (cluster_id) WHERE m.chain = $chain
)
SELECT row_number() OVER (ORDER BY address)::INTEGER, address FROM space;
