-- name: ids.intern_addresses
-- params: $addresses VARCHAR[]
-- Gives each new address the next integer id (dense: only new ones draw from the sequence).
INSERT INTO address_ids (address, id, key)
SELECT q.a, nextval('address_id_seq'), ('0x' || left(md5(q.a), 15))::BIGINT
FROM (SELECT DISTINCT unnest($addresses) AS a) q
WHERE q.a IS NOT NULL AND NOT EXISTS (SELECT 1 FROM address_ids d WHERE d.address = q.a);
