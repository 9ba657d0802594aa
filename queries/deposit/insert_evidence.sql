-- name: deposit.insert_evidence
-- params: $chain VARCHAR, $roots VARCHAR[], $txids VARCHAR[], $heuristics VARCHAR[], $address_a VARCHAR[], $address_b VARCHAR[], $confidence INTEGER
-- Parallel lists, one entry per merge; the cluster id is derived from the root as in deposit.insert_members.
-- Addresses and txids are interned first.
INSERT INTO cluster_evidence_ids (chain, cluster_id, tx_id, heuristic, a_id, b_id, confidence)
SELECT $chain, ('0x' || left(md5($chain || ':' || e.root), 15))::BIGINT, t.id, e.heuristic, a.id, b.id, $confidence
FROM (SELECT unnest($roots) AS root, unnest($txids) AS txid, unnest($heuristics) AS heuristic,
  unnest($address_a) AS a, unnest($address_b) AS b) e
JOIN tx_ids t ON t.txid = e.txid JOIN address_ids a ON a.address = e.a JOIN address_ids b ON b.address = e.b;
