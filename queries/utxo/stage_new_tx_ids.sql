-- name: utxo.stage_new_tx_ids
-- params: (none)
-- The next ids for the new txids, in batch order.
UPDATE utxo_txs_stage s SET tx_id = n.id
FROM (
  SELECT txid, nextval('tx_id_seq') AS id
  FROM (SELECT txid FROM utxo_txs_stage WHERE tx_id IS NULL GROUP BY txid ORDER BY min(ord))
) n
WHERE s.txid = n.txid;
