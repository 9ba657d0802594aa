-- name: cluster.insert_evidence
-- params: $chain VARCHAR, $tx_ids INTEGER[], $heuristics VARCHAR[], $a_ids INTEGER[], $b_ids INTEGER[], $confidences INTEGER[]
-- Parallel lists, one entry per merge other than multi-input (those are appended to cluster_input_merges).
INSERT INTO cluster_evidence_ids (chain, tx_id, heuristic, a_id, b_id, confidence)
SELECT $chain, unnest($tx_ids), unnest($heuristics), unnest($a_ids), unnest($b_ids), unnest($confidences);
