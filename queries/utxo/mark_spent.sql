-- name: utxo.mark_spent
-- params: $chain VARCHAR, $txid VARCHAR
-- Every stored output that this transaction's inputs spend now points at it.
UPDATE utxo_outputs o SET spent_by_txid = i.txid, spent_by_vin = i.vin
FROM utxo_inputs i
WHERE i.chain = $chain AND i.txid = $txid AND NOT i.is_coinbase
  AND o.chain = i.chain AND o.txid = i.prev_txid AND o.vout = i.prev_vout
  AND (o.spent_by_txid IS DISTINCT FROM i.txid OR o.spent_by_vin IS DISTINCT FROM i.vin);
