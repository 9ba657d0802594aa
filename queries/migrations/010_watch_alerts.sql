-- migration: 010_watch_alerts
-- Watch: named address lists (watchlists), when saved queries and watchlists rerun on their own and
-- what they alert on, alerts (one per fact: a unique key) with a delivery outbox written in the
-- alert's own transaction, the webhooks alerts go to, and label changes waiting to be re-screened.
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
