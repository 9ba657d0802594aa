-- name: utxo.insert_staged_inputs
-- params: (none)
INSERT INTO utxo_inputs (chain, txid, vin, prev_txid, prev_vout, address, value, script_type, is_coinbase, sequence)
SELECT chain, txid, vin, prev_txid, prev_vout, address, value, script_type, is_coinbase, sequence
FROM utxo_inputs_stage ORDER BY ord;
