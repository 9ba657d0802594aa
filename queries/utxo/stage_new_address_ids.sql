-- name: utxo.stage_new_address_ids
-- params: (none)
-- The next ids for the new addresses, in order of appearance (dense: only new ones draw from the sequence).
UPDATE address_ids_stage s SET id = n.id, key = ('0x' || left(md5(s.address), 15))::BIGINT, fresh = true
FROM (
  SELECT address, nextval('address_id_seq') AS id
  FROM (SELECT address FROM address_ids_stage WHERE id IS NULL ORDER BY ord)
) n
WHERE s.address = n.address;
