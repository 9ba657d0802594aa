-- name: bench.trace_transfer_ids
-- params: $chain VARCHAR
-- Every transfer in chain order, addresses as ids into bench.trace_addresses (-1: no recipient).
WITH addr AS (
  SELECT address, (row_number() OVER (ORDER BY address) - 1)::INTEGER AS id
  FROM (SELECT from_address AS address FROM account_transfers WHERE chain = $chain
        UNION SELECT to_address FROM account_transfers WHERE chain = $chain AND to_address IS NOT NULL)
)
SELECT x.txid, x.kind, x.seq, x.block_number::INTEGER AS block_number, x.tx_index, f.id AS from_id, coalesce(t.id, -1) AS to_id,
       x.asset, x.value, x.success
FROM account_transfers x
JOIN addr f ON f.address = x.from_address
LEFT JOIN addr t ON t.address = x.to_address
WHERE x.chain = $chain
ORDER BY x.block_number, x.tx_index, x.seq, x.txid;
