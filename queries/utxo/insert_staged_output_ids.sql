-- name: utxo.insert_staged_output_ids
-- params: (none)
-- Each staged output that has an address, as ids with its value and script type.
INSERT INTO utxo_output_ids (tx_id, vout, addr_id, addr_key, value, script_type)
SELECT t.tx_id, o.vout, a.id, a.key, o.value, o.script_type
FROM utxo_outputs_stage o
JOIN utxo_txs_stage t ON t.chain = o.chain AND t.txid = o.txid
JOIN address_ids_stage a ON a.address = o.address
ORDER BY t.tx_id, o.vout;
