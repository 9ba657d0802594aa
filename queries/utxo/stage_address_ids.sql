-- name: utxo.stage_address_ids
-- params: (none)
-- Ids of the staged addresses that have one.
UPDATE address_ids_stage s SET id = a.id, key = a.key, fresh = false
FROM address_ids a WHERE a.address = s.address;
