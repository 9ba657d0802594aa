-- name: utxo.mark_spent_staged
-- params: (none)
-- Every stored output that a staged input spends now points at it (the last staged spender wins).
UPDATE utxo_outputs o SET spent_by_txid = i.txid, spent_by_vin = i.vin
FROM (
  SELECT chain, prev_txid, prev_vout, arg_max(txid, ord) AS txid, arg_max(vin, ord) AS vin
  FROM utxo_inputs_stage WHERE NOT is_coinbase AND prev_txid IS NOT NULL AND prev_vout IS NOT NULL
  GROUP BY chain, prev_txid, prev_vout
) i
WHERE o.chain = i.chain AND o.txid = i.prev_txid AND o.vout = i.prev_vout
  AND (o.spent_by_txid IS DISTINCT FROM i.txid OR o.spent_by_vin IS DISTINCT FROM i.vin);
