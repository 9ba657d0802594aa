-- migration: 012_address_totals
-- Per-address totals of account transfers, kept by every write (an address lookup reads one row
-- instead of scanning every transfer). Filled here from the transfers already stored.
CREATE TABLE account_address_assets (
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  asset VARCHAR NOT NULL,
  symbol VARCHAR,
  decimals INTEGER,
  -- transactions with a transfer of this asset from or to the address (failed ones included)
  tx_count BIGINT NOT NULL,
  -- successful transfers only: a failed one moves no value
  received HUGEINT NOT NULL,
  sent HUGEINT NOT NULL,
  first_seen BIGINT,
  last_seen BIGINT,
  PRIMARY KEY (chain, address, asset)
);

-- transactions with any transfer from or to the address, over all assets
CREATE TABLE account_address_txs (
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  tx_count BIGINT NOT NULL,
  PRIMARY KEY (chain, address)
);

-- a lookup by address alone: DuckDB scans an index only for a lone equality on its one column
CREATE INDEX account_address_assets_address ON account_address_assets (address);
CREATE INDEX account_address_txs_address ON account_address_txs (address);

-- each party of each stored transfer: the sender (sent) and the recipient (received); a failed transfer
-- moves no value
CREATE VIEW account_transfer_parties AS
SELECT chain, txid, asset, symbol, decimals, block_time, from_address AS address, 0::HUGEINT AS received,
  CASE WHEN success THEN value ELSE 0 END AS sent
FROM account_transfers WHERE from_address IS NOT NULL
UNION ALL
SELECT chain, txid, asset, symbol, decimals, block_time, to_address, CASE WHEN success THEN value ELSE 0 END,
  0::HUGEINT
FROM account_transfers WHERE to_address IS NOT NULL;

-- additions of recent writes not merged yet into the two tables above (asset NULL: the transactions
-- over all assets); a lookup adds them in, a write merges them once there are many
CREATE TABLE account_totals_pending (
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  asset VARCHAR,
  symbol VARCHAR,
  decimals INTEGER,
  tx_count BIGINT NOT NULL,
  received HUGEINT,
  sent HUGEINT,
  first_seen BIGINT,
  last_seen BIGINT
);

-- stored transfers of the transactions a write stages (empty outside one)
CREATE TABLE account_transfers_seen (
  chain VARCHAR NOT NULL,
  txid VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  seq INTEGER NOT NULL,
  from_address VARCHAR,
  to_address VARCHAR,
  asset VARCHAR NOT NULL
);

-- addresses whose totals a write recounts from the transfers (empty outside one)
CREATE TABLE account_totals_dirty (
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL
);

INSERT INTO account_address_assets
SELECT chain, address, asset, any_value(symbol), any_value(decimals), count(DISTINCT txid), sum(received)::HUGEINT,
  sum(sent)::HUGEINT, min(block_time), max(block_time)
FROM account_transfer_parties
GROUP BY chain, address, asset;

INSERT INTO account_address_txs
SELECT chain, address, count(DISTINCT txid) FROM account_transfer_parties GROUP BY chain, address;
