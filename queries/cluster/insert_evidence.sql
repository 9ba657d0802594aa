-- name: cluster.insert_evidence
-- params: $chain VARCHAR
INSERT INTO cluster_evidence (chain, cluster_id, txid, heuristic, address_a, address_b, confidence)
SELECT $chain, m.cluster_id, w.txid, ev.heuristic, a.address, b.address, ev.confidence
FROM cluster_work_ev ev
JOIN cluster_work_tx w ON w.rank = ev.tx_rank
JOIN cluster_work_addr a ON a.rank = ev.a_rank
JOIN cluster_work_addr b ON b.rank = ev.b_rank
JOIN cluster_members m ON m.chain = $chain AND m.address = a.address;
