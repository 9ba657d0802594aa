-- schema: the current full schema (version 13). Fresh files are created from this;
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
  -- Integer ids for the trace graph, set by the trace index (NULL: a row it has not seen yet).
  tid BIGINT,
  from_id INTEGER,
  to_id INTEGER,
  PRIMARY KEY (chain, txid, kind, seq)
);

-- Per-address totals of account transfers, kept by every write (see migration 012).
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

CREATE SEQUENCE transfer_id_seq START 1;

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
  imported_at TIMESTAMP NOT NULL,
  authority BOOLEAN DEFAULT false
);

CREATE TABLE clusters (
  chain VARCHAR NOT NULL,
  cluster_id BIGINT NOT NULL,
  size INTEGER NOT NULL,
  is_service BOOLEAN NOT NULL DEFAULT false,
  PRIMARY KEY (chain, cluster_id)
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

-- Windows an address was ingested for (ingest --since/--until; since/until: Unix seconds, null: open):
-- without a sync cursor its stored history is partial, whatever these cover.
CREATE TABLE ingest_windows (
  source VARCHAR NOT NULL,
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  since BIGINT,
  until BIGINT,
  updated_at TIMESTAMP NOT NULL
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


CREATE SEQUENCE address_id_seq START 1;
CREATE SEQUENCE tx_id_seq START 1;

-- Integer ids for clustering, interned at ingest. `key` orders a cluster's members: a Bitcoin
-- cluster's id is its smallest member key.
CREATE TABLE address_ids (
  address VARCHAR PRIMARY KEY,
  id INTEGER NOT NULL,
  key BIGINT NOT NULL
);

CREATE TABLE tx_ids (
  txid VARCHAR PRIMARY KEY,
  id INTEGER NOT NULL
);

-- Change guesses by integer ids, appended in tx-id order: a run writes no txid or address string per
-- guess and no index (a tx's guesses are found through its id's zone); change_guesses names them.
-- A reason's chr(1) stands for the guessed output's address.
CREATE TABLE change_guess_ids (
  chain VARCHAR NOT NULL,
  tx_id INTEGER NOT NULL,
  vout INTEGER NOT NULL,
  addr_id INTEGER NOT NULL,
  heuristic VARCHAR NOT NULL,
  confidence INTEGER NOT NULL,
  reason VARCHAR NOT NULL
);

CREATE VIEW change_guesses AS
SELECT g.chain, x.txid, g.vout, a.address, g.heuristic, g.confidence,
  replace(g.reason, chr(1), a.address) AS reason
FROM change_guess_ids g JOIN tx_ids x ON x.id = g.tx_id JOIN address_ids a ON a.id = g.addr_id;

-- What clustering needs of each stored UTXO transaction and input, as ids (written with the tx).
CREATE TABLE utxo_tx_index (
  chain VARCHAR NOT NULL,
  tx_id INTEGER NOT NULL,
  confirmed BOOLEAN NOT NULL,
  coinbase BOOLEAN NOT NULL,
  input_count INTEGER NOT NULL,
  output_count INTEGER NOT NULL
);

-- addr_key repeats address_ids.key: clustering reads it with the inputs instead of joining 10M+ rows.
CREATE TABLE utxo_input_ids (
  tx_id INTEGER NOT NULL,
  vin INTEGER NOT NULL,
  addr_id INTEGER NOT NULL,
  addr_key BIGINT NOT NULL
);

-- Ingest appends a batch of pages to staging tables and merges it set-based in the same transaction
-- (they are empty outside one). Change heuristics read per-transaction fingerprints and outputs as ids,
-- written with each transaction.
-- the columns a writer gives (not the trace index's ids)
CREATE TABLE account_transfers_stage AS
SELECT chain, txid, kind, seq, block_number, block_hash, block_time, tx_index, log_index, trace_address,
  from_address, to_address, asset, symbol, decimals, value, success
FROM account_transfers LIMIT 0;

-- ord: position in the batch (inputs and outputs share one count); tx_id, had_id (interned before) and
-- known (stored before) are set by the merge; the rest is what change heuristics need of the tx alone.
CREATE TABLE utxo_txs_stage AS
SELECT 0::INTEGER AS ord, *, false AS coinbase, NULL::BOOLEAN AS rbf, NULL::VARCHAR AS coinjoin,
  NULL::VARCHAR AS in_type, NULL::HUGEINT AS min_in, NULL::INTEGER AS tx_id, false AS had_id, false AS known
FROM utxo_txs LIMIT 0;

CREATE TABLE utxo_inputs_stage AS SELECT 0::INTEGER AS ord, * FROM utxo_inputs LIMIT 0;

-- spend_known false: this write does not know the spend, so a stored one is kept.
CREATE TABLE utxo_outputs_stage AS SELECT 0::INTEGER AS ord, *, false AS spend_known FROM utxo_outputs LIMIT 0;

CREATE TABLE address_ids_stage (
  address VARCHAR NOT NULL,
  ord INTEGER NOT NULL,
  id INTEGER,
  key BIGINT,
  fresh BOOLEAN
);

-- What change heuristics need of each stored UTXO transaction, computed once when it is written.
-- block_height is NULL while unconfirmed; rbf: some input's nSequence is below 0xfffffffe (NULL when a
-- sequence is unknown); coinjoin: the CoinJoin kind detected (coinjoin_checked false: not looked at yet,
-- for rows carried over from an older file); in_type: the one script type of all inputs (NULL when
-- they differ); min_in: the smallest input value.
CREATE TABLE utxo_tx_fingerprints (
  chain VARCHAR NOT NULL,
  tx_id INTEGER NOT NULL,
  block_height INTEGER,
  version INTEGER,
  locktime BIGINT,
  rbf BOOLEAN,
  coinjoin VARCHAR,
  coinjoin_checked BOOLEAN NOT NULL,
  in_type VARCHAR,
  min_in HUGEINT
);

-- Each output that has an address, as ids (addr_key repeats address_ids.key, as in utxo_input_ids).
CREATE TABLE utxo_output_ids (
  tx_id INTEGER NOT NULL,
  vout INTEGER NOT NULL,
  addr_id INTEGER NOT NULL,
  addr_key BIGINT NOT NULL,
  value HUGEINT NOT NULL,
  script_type VARCHAR
);

-- Scratch tables of the change step of a clustering run: the addresses its transactions touch, and
-- the guesses before their spender counts are filled in (see queries/change/insert_guesses.sql).
CREATE TABLE change_work_addr (
  addr_id INTEGER NOT NULL
);

CREATE TABLE change_work_guess (
  tx_id INTEGER NOT NULL,
  vout INTEGER NOT NULL,
  addr_id INTEGER NOT NULL,
  -- position in core/change.ts's CHANGE_HEURISTICS (0-based)
  heuristic INTEGER NOT NULL,
  confidence INTEGER NOT NULL,
  reason VARCHAR NOT NULL,
  spenders INTEGER,
  big_id INTEGER
);

CREATE TABLE cluster_member_ids (
  chain VARCHAR NOT NULL,
  addr_id INTEGER NOT NULL,
  cluster_id BIGINT NOT NULL
);

-- Evidence is a fact about a transaction and two addresses; it belongs to the cluster of address a,
-- so merging clusters never rewrites it. Multi-input merges, the bulk, are three ids each (their chain
-- is the tx's, their confidence 100); every other merge (change, EVM deposit) is a full row.
CREATE TABLE cluster_input_merges (
  tx_id INTEGER NOT NULL,
  a_id INTEGER NOT NULL,
  b_id INTEGER NOT NULL
);

CREATE TABLE cluster_evidence_ids (
  chain VARCHAR NOT NULL,
  tx_id INTEGER NOT NULL,
  heuristic VARCHAR NOT NULL,
  a_id INTEGER NOT NULL,
  b_id INTEGER NOT NULL,
  confidence INTEGER NOT NULL
);

CREATE TABLE cluster_tx_ids (
  chain VARCHAR NOT NULL,
  tx_id INTEGER NOT NULL,
  coinjoin VARCHAR
);

CREATE VIEW cluster_members AS
SELECT m.chain, a.address, m.cluster_id FROM cluster_member_ids m JOIN address_ids a ON a.id = m.addr_id;

CREATE VIEW cluster_evidence AS
WITH e AS (
  SELECT x.chain, e.tx_id, 'multi-input' AS heuristic, e.a_id, e.b_id, 100 AS confidence
  FROM cluster_input_merges e JOIN utxo_tx_index x ON x.tx_id = e.tx_id
  UNION ALL
  SELECT chain, tx_id, heuristic, a_id, b_id, confidence FROM cluster_evidence_ids
)
SELECT e.chain, m.cluster_id, t.txid, e.heuristic, a.address AS address_a, b.address AS address_b, e.confidence
FROM e
JOIN cluster_member_ids m ON m.chain = e.chain AND m.addr_id = e.a_id
JOIN tx_ids t ON t.id = e.tx_id
JOIN address_ids a ON a.id = e.a_id
JOIN address_ids b ON b.id = e.b_id;

-- Scratch tables of one clustering run.
CREATE TABLE cluster_work_tx (
  tx_id INTEGER NOT NULL,
  coinjoin VARCHAR
);

CREATE TABLE cluster_work_member (
  addr_id INTEGER NOT NULL,
  cluster_id BIGINT NOT NULL
);

CREATE TABLE cluster_work_edge (
  a_id INTEGER NOT NULL,
  b_id INTEGER NOT NULL
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
  status INTEGER NOT NULL,
  target_sha256 VARCHAR,
  details VARCHAR
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

-- Watch (migration 011): watchlists, schedules, alerts with their delivery outbox, webhooks.
CREATE TABLE watchlists (
  name VARCHAR PRIMARY KEY,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE watchlist_addresses (
  watchlist VARCHAR NOT NULL,
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  PRIMARY KEY (watchlist, chain, address)
);

-- Transactions of a watchlist's addresses already screened for labelled counterparties.
CREATE TABLE watch_screened (
  watchlist VARCHAR NOT NULL,
  chain VARCHAR NOT NULL,
  txid VARCHAR NOT NULL
);

-- Money between a watchlist's addresses and their counterparties in the transactions it screened
-- (batch: the run that screened them). A label change is re-screened against these rows only.
CREATE TABLE watch_flows (
  watchlist VARCHAR NOT NULL,
  batch VARCHAR NOT NULL,
  chain VARCHAR NOT NULL,
  wallet VARCHAR NOT NULL,
  counterparty VARCHAR NOT NULL,
  txid VARCHAR NOT NULL,
  direction VARCHAR NOT NULL,
  asset VARCHAR,
  symbol VARCHAR,
  decimals INTEGER,
  amount HUGEINT NOT NULL
);

-- kind is 'query' or 'watchlist'; every_seconds NULL: runs only when asked. alert_on: categories, comma-separated.
CREATE TABLE schedules (
  kind VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  every_seconds INTEGER,
  alert_on VARCHAR NOT NULL,
  next_run_at TIMESTAMP,
  last_started_at TIMESTAMP,
  last_finished_at TIMESTAMP,
  last_status VARCHAR,
  last_error VARCHAR,
  last_summary VARCHAR,
  runs INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, name)
);

CREATE TABLE alerts (
  id VARCHAR PRIMARY KEY,
  dedup_key VARCHAR NOT NULL UNIQUE,
  trigger VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  category VARCHAR NOT NULL,
  categories VARCHAR[] NOT NULL,
  endpoint VARCHAR,
  amount HUGEINT,
  previous_amount HUGEINT,
  asset VARCHAR,
  symbol VARCHAR,
  decimals INTEGER,
  direction VARCHAR,
  path VARCHAR[],
  query_name VARCHAR,
  run_id VARCHAR,
  watchlist VARCHAR,
  detail JSON,
  message VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  status VARCHAR NOT NULL,
  acked_at TIMESTAMP,
  acked_by VARCHAR
);

-- The secret signs deliveries; only the delivery statement reads it back.
CREATE TABLE webhooks (
  id VARCHAR PRIMARY KEY,
  url VARCHAR NOT NULL,
  secret VARCHAR NOT NULL,
  fingerprint VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL
);

-- One row per alert and webhook, written with the alert: status pending, delivered or failed.
CREATE TABLE alert_outbox (
  alert_id VARCHAR NOT NULL,
  webhook_id VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at TIMESTAMP NOT NULL,
  last_status INTEGER,
  last_error VARCHAR,
  delivered_at TIMESTAMP,
  PRIMARY KEY (alert_id, webhook_id)
);

-- What a label import added and removed (in alerted categories), kept until it has been re-screened.
CREATE TABLE label_changes (
  id VARCHAR PRIMARY KEY,
  dataset VARCHAR NOT NULL,
  source_hash VARCHAR,
  change JSON NOT NULL,
  created_at TIMESTAMP NOT NULL,
  error VARCHAR
);
