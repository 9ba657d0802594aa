-- name: bench.gen_utxo_address_ids
-- params: (none)
-- What ingest (ids.intern_addresses) gives the generated rows; same statement as migration 005.
INSERT INTO address_ids (address, id, key)
SELECT address, nextval('address_id_seq'), ('0x' || left(md5(address), 15))::BIGINT
FROM (
  SELECT address FROM utxo_inputs WHERE address IS NOT NULL
  UNION SELECT address FROM utxo_outputs WHERE address IS NOT NULL
  ORDER BY address
);
