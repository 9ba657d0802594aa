-- name: deposit.insert_evidence
-- params: $chain VARCHAR, $txids VARCHAR[], $heuristics VARCHAR[], $address_a VARCHAR[], $address_b VARCHAR[], $confidence INTEGER
-- Parallel lists, one entry per merge. Addresses and txids are interned first.
INSERT INTO cluster_evidence_ids (chain, tx_id, heuristic, a_id, b_id, confidence)
SELECT $chain, t.id, e.heuristic, a.id, b.id, $confidence
FROM (SELECT unnest($txids) AS txid, unnest($heuristics) AS heuristic,
  unnest($address_a) AS a, unnest($address_b) AS b) e
JOIN tx_ids t ON t.txid = e.txid JOIN address_ids a ON a.address = e.a JOIN address_ids b ON b.address = e.b;
