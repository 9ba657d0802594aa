-- name: utxo.keep_known_spends
-- params: (none)
-- An output rewritten without its spend (not asked this time) keeps the stored one.
UPDATE utxo_outputs_stage s SET spent_by_txid = o.spent_by_txid, spent_by_vin = o.spent_by_vin
FROM utxo_outputs o
WHERE NOT s.spend_known AND o.chain = s.chain AND o.txid = s.txid AND o.vout = s.vout;
