-- name: bench.gen_utxo_output_ids
-- params: (none)
-- What ingest writes with each tx (utxo_output_ids) for the generated rows; same statement as migration 009.
INSERT INTO utxo_output_ids (tx_id, vout, addr_id, addr_key, value, script_type)
SELECT x.id, o.vout, a.id, a.key, o.value, o.script_type
FROM utxo_outputs o JOIN tx_ids x ON x.txid = o.txid JOIN address_ids a ON a.address = o.address
ORDER BY x.id, o.vout;
