-- name: trace.utxo_input_links
-- params: $chain VARCHAR, $after INTEGER, $upto INTEGER
-- Inputs of transactions loaded before (ids ≤ after) that spend the ones with ids in (after, upto].
SELECT x.id AS tx_id, i.vin, p.id AS prev_id
FROM utxo_inputs i JOIN tx_ids p ON p.txid = i.prev_txid JOIN tx_ids x ON x.txid = i.txid
WHERE i.chain = $chain AND p.id > $after AND p.id <= $upto AND x.id <= $after;
