-- name: bench.gen_utxo_input_ids
-- params: (none)
INSERT INTO utxo_input_ids (tx_id, vin, addr_id, addr_key)
SELECT x.id, i.vin, a.id, a.key
FROM utxo_inputs i JOIN tx_ids x ON x.txid = i.txid JOIN address_ids a ON a.address = i.address
ORDER BY x.id, i.vin;
