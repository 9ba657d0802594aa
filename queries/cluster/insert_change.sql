-- name: cluster.insert_change
-- params: $chain VARCHAR, $txid VARCHAR, $vout INTEGER, $address VARCHAR, $heuristic VARCHAR, $confidence INTEGER, $reason VARCHAR
INSERT OR REPLACE INTO change_guesses (chain, txid, vout, address, heuristic, confidence, reason)
VALUES ($chain, $txid, $vout, $address, $heuristic, $confidence, $reason);
