-- name: trace.prev_txids
-- params: $chain VARCHAR, $tx_ids INTEGER[]
-- The previous txids of these transactions' inputs (to name the ones that are not loaded).
SELECT x.id AS tx_id, i.vin, i.prev_txid AS txid
FROM utxo_inputs i JOIN tx_ids x ON x.txid = i.txid
WHERE i.chain = $chain AND x.id IN (SELECT unnest($tx_ids)) AND i.prev_txid IS NOT NULL;
