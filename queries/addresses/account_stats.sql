-- name: addresses.account_stats
-- params: $chain VARCHAR, $address VARCHAR
-- An address's totals over stored account transfers, per asset (asset NULL: transactions over all
-- assets), as kept by every write: merged rows and the additions of recent writes not merged yet (the
-- caller adds them up). The chain is tested outside the address scans (LIMIT keeps it there): DuckDB
-- uses an index only for a lone equality on its column.
SELECT * FROM (
  SELECT chain, asset, symbol, decimals, tx_count, received, sent, first_seen, last_seen
  FROM account_address_assets WHERE address = $address LIMIT 1000000
) WHERE chain = $chain
UNION ALL
SELECT * FROM (
  SELECT chain, NULL, NULL, NULL, tx_count, NULL, NULL, NULL, NULL
  FROM account_address_txs WHERE address = $address LIMIT 1000000
) WHERE chain = $chain
UNION ALL
SELECT chain, asset, symbol, decimals, tx_count, received, sent, first_seen, last_seen
FROM account_totals_pending WHERE chain = $chain AND address = $address;
