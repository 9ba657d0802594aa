-- name: bench.api_addresses
-- params: $chain VARCHAR, $n BIGINT
-- A spread of addresses that sent or received in the generated graph (the API bench looks them up,
-- screens them and labels some of them).
SELECT address FROM (
  SELECT from_address AS address FROM account_transfers WHERE chain = $chain
  UNION
  SELECT to_address FROM account_transfers WHERE chain = $chain
)
ORDER BY hash(address), address
LIMIT $n;
