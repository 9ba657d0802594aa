-- name: bench.trace_hubs
-- params: $chain VARCHAR, $prefix VARCHAR
-- The generator's exchange hubs (address kind 01), labelled as exchanges by the bench.
SELECT DISTINCT to_address AS address
FROM account_transfers WHERE chain = $chain AND starts_with(to_address, $prefix)
ORDER BY address;
