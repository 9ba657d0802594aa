-- name: utxo.insert_staged_outputs
-- params: (none)
INSERT INTO utxo_outputs (chain, txid, vout, address, value, script_type, spent_by_txid, spent_by_vin)
SELECT chain, txid, vout, address, value, script_type, spent_by_txid, spent_by_vin
FROM utxo_outputs_stage ORDER BY ord;
