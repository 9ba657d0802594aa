-- name: cluster.insert_evidence
-- params: $chain VARCHAR, $heuristics VARCHAR[]
-- One row per real merge; heuristic is a 1-based index into $heuristics.
INSERT INTO cluster_evidence_ids (chain, cluster_id, tx_id, heuristic, a_id, b_id, confidence)
SELECT $chain, c.cluster_id, e.tx_id, list_extract($heuristics, e.heuristic), e.a_id, e.b_id, e.confidence
FROM cluster_work_ev e JOIN cluster_work_cid c ON c.root = e.root;
