-- name: cluster.insert_evidence
-- params: $chain VARCHAR
-- Integer joins through the work tables; the cluster id is derived once per cluster as in cluster.insert_members.
INSERT INTO cluster_evidence (chain, cluster_id, txid, heuristic, address_a, address_b, confidence)
WITH ids AS (
  SELECT r.root_rank, ('0x' || left(md5($chain || ':' || m.address), 15))::BIGINT AS cluster_id
  FROM (SELECT DISTINCT root_rank FROM cluster_work_root) r JOIN cluster_work_addr m ON m.rank = r.root_rank
)
SELECT $chain, ids.cluster_id, w.txid, ev.heuristic, a.address, b.address, ev.confidence
FROM cluster_work_ev ev
JOIN cluster_work_root r ON r.addr_rank = ev.a_rank
JOIN ids ON ids.root_rank = r.root_rank
JOIN cluster_work_tx w ON w.rank = ev.tx_rank
JOIN cluster_work_addr a ON a.rank = ev.a_rank
JOIN cluster_work_addr b ON b.rank = ev.b_rank;
