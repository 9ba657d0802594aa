-- name: deposit.insert_evidence
-- params: $chain VARCHAR, $roots VARCHAR[], $txids VARCHAR[], $heuristics VARCHAR[], $address_a VARCHAR[], $address_b VARCHAR[], $confidence INTEGER
-- Parallel lists, one entry per merge; the cluster id is derived from the root as in deposit.insert_members.
INSERT INTO cluster_evidence (chain, cluster_id, txid, heuristic, address_a, address_b, confidence)
SELECT $chain, ('0x' || left(md5($chain || ':' || e.root), 15))::BIGINT, e.txid, e.heuristic, e.a, e.b, $confidence
FROM (SELECT unnest($roots) AS root, unnest($txids) AS txid, unnest($heuristics) AS heuristic,
  unnest($address_a) AS a, unnest($address_b) AS b) e;
