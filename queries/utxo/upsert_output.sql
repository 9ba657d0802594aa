-- name: utxo.upsert_output
-- params: $chain VARCHAR, $txid VARCHAR, $vout INTEGER, $address VARCHAR, $value HUGEINT, $script_type VARCHAR, $spent_by_txid VARCHAR, $spent_by_vin INTEGER, $spend_known BOOLEAN
-- When the spend is not known from this write ($spend_known false) the stored spend is kept.
INSERT INTO utxo_outputs (chain, txid, vout, address, value, script_type, spent_by_txid, spent_by_vin)
VALUES ($chain, $txid, $vout, $address, $value, $script_type, $spent_by_txid, $spent_by_vin)
ON CONFLICT (chain, txid, vout) DO UPDATE SET
  address = excluded.address, value = excluded.value, script_type = excluded.script_type,
  spent_by_txid = CASE WHEN $spend_known THEN excluded.spent_by_txid ELSE utxo_outputs.spent_by_txid END,
  spent_by_vin = CASE WHEN $spend_known THEN excluded.spent_by_vin ELSE utxo_outputs.spent_by_vin END;
