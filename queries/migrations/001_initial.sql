-- migration: 001_initial
-- The first released schema: labels, chain data, clusters, cursors, jobs.
CREATE TABLE schema_version (
  version INTEGER NOT NULL,
  applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE addresses (
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  first_seen BIGINT,
  last_seen BIGINT,
  PRIMARY KEY (chain, address)
);

CREATE TABLE utxo_txs (
  chain VARCHAR NOT NULL,
  txid VARCHAR NOT NULL,
  block_height INTEGER,
  block_hash VARCHAR,
  block_time BIGINT,
  confirmed BOOLEAN NOT NULL,
  fee HUGEINT NOT NULL,
  size INTEGER,
  weight INTEGER,
  version INTEGER,
  locktime BIGINT,
  input_count INTEGER NOT NULL,
  output_count INTEGER NOT NULL,
  PRIMARY KEY (chain, txid)
);

CREATE TABLE utxo_inputs (
  chain VARCHAR NOT NULL,
  txid VARCHAR NOT NULL,
  vin INTEGER NOT NULL,
  prev_txid VARCHAR,
  prev_vout INTEGER,
  address VARCHAR,
  value HUGEINT NOT NULL,
  script_type VARCHAR,
  is_coinbase BOOLEAN NOT NULL,
  sequence BIGINT,
  PRIMARY KEY (chain, txid, vin)
);

CREATE TABLE utxo_outputs (
  chain VARCHAR NOT NULL,
  txid VARCHAR NOT NULL,
  vout INTEGER NOT NULL,
  address VARCHAR,
  value HUGEINT NOT NULL,
  script_type VARCHAR,
  spent_by_txid VARCHAR,
  spent_by_vin INTEGER,
  PRIMARY KEY (chain, txid, vout)
);

CREATE TABLE account_transfers (
  chain VARCHAR NOT NULL,
  txid VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  seq INTEGER NOT NULL,
  block_number BIGINT,
  block_hash VARCHAR,
  block_time BIGINT,
  tx_index INTEGER,
  log_index INTEGER,
  trace_address VARCHAR,
  from_address VARCHAR,
  to_address VARCHAR,
  asset VARCHAR NOT NULL,
  symbol VARCHAR,
  decimals INTEGER,
  value HUGEINT NOT NULL,
  success BOOLEAN NOT NULL,
  PRIMARY KEY (chain, txid, kind, seq)
);

CREATE TABLE labels (
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  currency VARCHAR,
  label VARCHAR NOT NULL,
  category VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  confidence INTEGER NOT NULL,
  program VARCHAR,
  reference VARCHAR,
  cluster_defining BOOLEAN NOT NULL DEFAULT false,
  dataset VARCHAR NOT NULL,
  source_file VARCHAR,
  source_hash VARCHAR,
  imported_at TIMESTAMP NOT NULL
);

CREATE TABLE label_imports (
  dataset VARCHAR PRIMARY KEY,
  format VARCHAR NOT NULL,
  source_file VARCHAR,
  source_hash VARCHAR,
  rows INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  imported_at TIMESTAMP NOT NULL
);

CREATE TABLE clusters (
  chain VARCHAR NOT NULL,
  cluster_id BIGINT NOT NULL,
  size INTEGER NOT NULL,
  is_service BOOLEAN NOT NULL DEFAULT false,
  PRIMARY KEY (chain, cluster_id)
);

-- No primary key: clustering rewrites membership in bulk, which an index slows tenfold.
CREATE TABLE cluster_members (
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  cluster_id BIGINT NOT NULL
);

CREATE TABLE cluster_evidence (
  chain VARCHAR NOT NULL,
  cluster_id BIGINT NOT NULL,
  txid VARCHAR NOT NULL,
  heuristic VARCHAR NOT NULL,
  address_a VARCHAR NOT NULL,
  address_b VARCHAR NOT NULL,
  confidence INTEGER NOT NULL
);

CREATE TABLE sync_cursors (
  source VARCHAR NOT NULL,
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  cursor VARCHAR,
  tip_height BIGINT,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (source, chain, address)
);

CREATE TABLE saved_queries (
  name VARCHAR PRIMARY KEY,
  params JSON NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE query_runs (
  id VARCHAR PRIMARY KEY,
  query_name VARCHAR NOT NULL,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  params JSON NOT NULL,
  digest VARCHAR,
  result JSON
);

CREATE TABLE jobs (
  id VARCHAR PRIMARY KEY,
  kind VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  params JSON NOT NULL,
  progress_done INTEGER NOT NULL DEFAULT 0,
  progress_total INTEGER NOT NULL DEFAULT 0,
  result JSON,
  error JSON,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
