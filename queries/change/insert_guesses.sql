-- name: change.insert_guesses
-- params: $chain VARCHAR, $heuristics VARCHAR[]
-- The run's guesses as change_guess_ids rows: heuristic named by its 0-based position in $heuristics,
-- and in each reason chr(2) replaced by the number of other stored confirmed txs spending from the tx's
-- input addresses (`spenders` counts those of its input address big_id; those of its other input
-- addresses that do not spend from big_id are counted here). chr(1) stays: change_guesses names it.
INSERT INTO change_guess_ids (chain, tx_id, vout, addr_id, heuristic, confidence, reason)
WITH p AS (
  SELECT DISTINCT tx_id, big_id FROM change_work_guess WHERE big_id IS NOT NULL
), other AS (
  SELECT DISTINCT p.tx_id, p.big_id, s.tx_id AS spender
  FROM p
  JOIN utxo_input_ids i ON i.tx_id = p.tx_id AND i.addr_id <> p.big_id
  JOIN utxo_input_ids s ON s.addr_id = i.addr_id
  JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = s.tx_id AND f.block_height IS NOT NULL
), big AS (
  SELECT DISTINCT tx_id AS spender, addr_id AS big_id FROM utxo_input_ids
  WHERE addr_id IN (SELECT big_id FROM p)
), extra AS (
  SELECT o.tx_id, count(*) AS n FROM other o
  WHERE NOT EXISTS (SELECT 1 FROM big b WHERE b.spender = o.spender AND b.big_id = o.big_id)
  GROUP BY o.tx_id
)
SELECT $chain, g.tx_id, g.vout, g.addr_id, $heuristics[g.heuristic + 1], g.confidence,
  CASE WHEN contains(g.reason, chr(2))
    THEN replace(g.reason, chr(2), coalesce((g.spenders + coalesce(e.n, 0))::VARCHAR, ''))
    ELSE g.reason END
FROM change_work_guess g
LEFT JOIN extra e ON e.tx_id = g.tx_id;
