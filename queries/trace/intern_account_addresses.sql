-- name: trace.intern_account_addresses
-- params: $chain VARCHAR
-- Interns the parties of transfers the trace index has not seen (the same ids as ids.intern_addresses).
INSERT INTO address_ids (address, id, key)
SELECT q.a, nextval('address_id_seq'), ('0x' || left(md5(q.a), 15))::BIGINT
FROM (SELECT from_address AS a FROM account_transfers WHERE chain = $chain AND tid IS NULL AND from_address IS NOT NULL
      UNION SELECT to_address FROM account_transfers WHERE chain = $chain AND tid IS NULL AND to_address IS NOT NULL
      ORDER BY 1) q
WHERE NOT EXISTS (SELECT 1 FROM address_ids d WHERE d.address = q.a);
