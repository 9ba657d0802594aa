-- name: cluster.reset_evidence
-- params: $chain VARCHAR
-- Full recompute: forget this chain's clustering first.
DELETE FROM cluster_evidence_ids WHERE chain = $chain;
