-- migration: 002_label_actor_and_raw_responses
-- Labels keep their GraphSense actor; upstream responses are kept (hash + body) for evidence and caching.
ALTER TABLE labels ADD COLUMN actor VARCHAR;

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
