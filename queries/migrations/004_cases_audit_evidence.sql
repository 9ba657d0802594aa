-- migration: 004_cases_audit_evidence
-- Cases group flagged wallets, notes and saved queries; every API write is audited; every upstream
-- body as received is kept once by its SHA-256, with each URL that returned it, for evidence packages.
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
