-- name: trace.index_account
-- params: $chain VARCHAR
-- Gives each transfer the trace index has not seen a transfer id and its parties' ids (interned first).
-- A row without sender is never indexed: nothing can be traced through it.
UPDATE account_transfers x
SET tid = nextval('transfer_id_seq'), from_id = f.id,
    to_id = (SELECT t.id FROM address_ids t WHERE t.address = x.to_address)
FROM address_ids f
WHERE x.chain = $chain AND x.tid IS NULL AND f.address = x.from_address;
