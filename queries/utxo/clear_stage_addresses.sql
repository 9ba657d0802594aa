-- name: utxo.clear_stage_addresses
-- params: (none)
DELETE FROM address_ids_stage;
