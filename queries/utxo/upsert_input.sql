-- name: utxo.upsert_input
-- params: $chain VARCHAR, $txid VARCHAR, $vin INTEGER, $prev_txid VARCHAR, $prev_vout INTEGER, $address VARCHAR, $value HUGEINT, $script_type VARCHAR, $is_coinbase BOOLEAN, $sequence BIGINT
INSERT INTO utxo_inputs (chain, txid, vin, prev_txid, prev_vout, address, value, script_type, is_coinbase, sequence)
VALUES ($chain, $txid, $vin, $prev_txid, $prev_vout, $address, $value, $script_type, $is_coinbase, $sequence)
ON CONFLICT (chain, txid, vin) DO UPDATE SET
  prev_txid = excluded.prev_txid, prev_vout = excluded.prev_vout, address = excluded.address, value = excluded.value,
  script_type = excluded.script_type, is_coinbase = excluded.is_coinbase, sequence = excluded.sequence;
