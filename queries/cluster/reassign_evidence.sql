-- name: cluster.reassign_evidence
-- params: $chain VARCHAR
-- Evidence of clusters that merged moves to the merged cluster's id.
UPDATE cluster_evidence_ids e SET cluster_id = n.cluster_id
FROM (SELECT r.addr_id, c.cluster_id FROM cluster_work_root r JOIN cluster_work_cid c ON c.root = r.root) n
WHERE e.chain = $chain AND e.a_id = n.addr_id AND e.cluster_id <> n.cluster_id;
