-- name: cluster.any_stored
-- params: $chain VARCHAR
-- Whether the chain has clusters stored already (else a run has no members to replace or drop).
SELECT EXISTS (SELECT 1 FROM cluster_member_ids WHERE chain = $chain)
  OR EXISTS (SELECT 1 FROM clusters WHERE chain = $chain) AS stored;
