-- migration: 011_ingest_windows
-- Addresses ingested only for a time window (ingest --since/--until). Such an address gets no sync
-- cursor, so it is never taken as fully ingested; these rows say which windows its stored history
-- covers until a full ingest (which sets the cursor) completes it.
CREATE TABLE ingest_windows (
  source VARCHAR NOT NULL,
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  since BIGINT,
  until BIGINT,
  updated_at TIMESTAMP NOT NULL
);
