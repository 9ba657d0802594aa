-- name: ids.intern_txids
-- params: $txids VARCHAR[]
-- Gives each new txid the next integer id.
INSERT INTO tx_ids (txid, id)
SELECT q.t, nextval('tx_id_seq')
FROM (SELECT DISTINCT unnest($txids) AS t) q
WHERE q.t IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tx_ids x WHERE x.txid = q.t);
