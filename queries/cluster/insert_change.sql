-- name: cluster.insert_change
-- params: $chain VARCHAR, $txids VARCHAR[], $vouts INTEGER[], $addresses VARCHAR[], $heuristics VARCHAR[], $confidences INTEGER[], $reasons VARCHAR[]
-- Parallel lists, one entry per change guess.
INSERT OR REPLACE INTO change_guesses (chain, txid, vout, address, heuristic, confidence, reason)
SELECT $chain, unnest($txids), unnest($vouts), unnest($addresses), unnest($heuristics), unnest($confidences),
  unnest($reasons);
