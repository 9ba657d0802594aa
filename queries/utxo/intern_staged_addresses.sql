-- name: utxo.intern_staged_addresses
-- params: (none)
INSERT INTO address_ids (address, id, key)
SELECT address, id, key FROM address_ids_stage WHERE fresh ORDER BY id;
