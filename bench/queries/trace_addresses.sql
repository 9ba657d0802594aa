-- name: bench.trace_addresses
-- params: $chain VARCHAR
-- The address dictionary, sorted: an address's id is its position (as in bench.trace_transfer_ids).
SELECT address
FROM (SELECT from_address AS address FROM account_transfers WHERE chain = $chain
      UNION SELECT to_address FROM account_transfers WHERE chain = $chain AND to_address IS NOT NULL)
ORDER BY address;
