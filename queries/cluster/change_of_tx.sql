-- name: cluster.change_of_tx
-- params: $chain VARCHAR, $txid VARCHAR
SELECT vout, address, heuristic, confidence, reason FROM change_guesses WHERE chain = $chain AND txid = $txid ORDER BY vout, heuristic;
