-- name: trace.spender_txids
-- params: $chain VARCHAR, $tx_ids INTEGER[]
-- The spending txids of these transactions' outputs (to name the ones that are not loaded).
SELECT x.id AS tx_id, o.vout, o.spent_by_txid AS txid
FROM utxo_outputs o JOIN tx_ids x ON x.txid = o.txid
WHERE o.chain = $chain AND x.id IN (SELECT unnest($tx_ids)) AND o.spent_by_txid IS NOT NULL;
