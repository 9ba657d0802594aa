-- name: utxo.insert_staged_input_ids
-- params: (none)
-- Each staged input that has an address, as (tx id, vin, address id, address key).
INSERT INTO utxo_input_ids (tx_id, vin, addr_id, addr_key)
SELECT t.tx_id, i.vin, a.id, a.key
FROM utxo_inputs_stage i
JOIN utxo_txs_stage t ON t.chain = i.chain AND t.txid = i.txid
JOIN address_ids_stage a ON a.address = i.address
ORDER BY t.tx_id, i.vin;
