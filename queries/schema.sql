-- schema: the current full schema (version 4). Fresh files are created from this;
-- older files are brought here by queries/migrations/*.sql. A test checks both give the same tables.
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
  imported_at TIMESTAMP NOT NULL,
  actor VARCHAR
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

CREATE TABLE raw_responses (
  source VARCHAR NOT NULL,
  request_key VARCHAR NOT NULL,
  url VARCHAR NOT NULL,
  status INTEGER NOT NULL,
  sha256 VARCHAR NOT NULL,
  body VARCHAR NOT NULL,
  fetched_at TIMESTAMP NOT NULL,
  PRIMARY KEY (source, request_key)
);

CREATE INDEX labels_addr_idx ON labels (address);

CREATE TABLE cluster_txs (
  chain VARCHAR NOT NULL,
  txid VARCHAR NOT NULL,
  coinjoin VARCHAR
);

CREATE TABLE change_guesses (
  chain VARCHAR NOT NULL,
  txid VARCHAR NOT NULL,
  vout INTEGER NOT NULL,
  address VARCHAR NOT NULL,
  heuristic VARCHAR NOT NULL,
  confidence INTEGER NOT NULL,
  reason VARCHAR NOT NULL,
  PRIMARY KEY (chain, txid, vout, heuristic)
);

CREATE TABLE cluster_work_tx (
  rank INTEGER NOT NULL,
  txid VARCHAR NOT NULL,
  coinjoin VARCHAR
);

CREATE TABLE cluster_work_addr (
  rank INTEGER NOT NULL,
  address VARCHAR NOT NULL
);

CREATE TABLE cluster_work_root (
  addr_rank INTEGER NOT NULL,
  root_rank INTEGER NOT NULL
);

CREATE TABLE cluster_work_ev (
  tx_rank INTEGER NOT NULL,
  a_rank INTEGER NOT NULL,
  b_rank INTEGER NOT NULL,
  heuristic VARCHAR NOT NULL,
  confidence INTEGER NOT NULL
);

CREATE TABLE cases (
  name VARCHAR PRIMARY KEY,
  title VARCHAR NOT NULL,
  description VARCHAR,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE case_wallets (
  case_name VARCHAR NOT NULL,
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  label VARCHAR,
  category VARCHAR,
  note VARCHAR,
  added_at TIMESTAMP NOT NULL,
  PRIMARY KEY (case_name, chain, address)
);

CREATE TABLE case_notes (
  id VARCHAR PRIMARY KEY,
  case_name VARCHAR NOT NULL,
  text VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL
);

CREATE TABLE case_queries (
  case_name VARCHAR NOT NULL,
  query_name VARCHAR NOT NULL,
  added_at TIMESTAMP NOT NULL,
  PRIMARY KEY (case_name, query_name)
);

CREATE TABLE audit_log (
  id VARCHAR PRIMARY KEY,
  logged_at TIMESTAMP NOT NULL,
  key_id VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  target VARCHAR,
  status INTEGER NOT NULL
);

CREATE TABLE response_bodies (
  sha256 VARCHAR PRIMARY KEY,
  body VARCHAR NOT NULL
);

CREATE TABLE response_log (
  source VARCHAR NOT NULL,
  url VARCHAR NOT NULL,
  request VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  status INTEGER NOT NULL,
  fetched_at TIMESTAMP NOT NULL,
  PRIMARY KEY (source, url, request, sha256)
);
