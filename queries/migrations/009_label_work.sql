-- migration: 009_label_work
-- Scratch table of one label import: the new file's rows, compared with the stored dataset so that
-- only the differences are written (a daily list with a few changes commits a few rows).
CREATE TABLE label_work (
  chain VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  currency VARCHAR,
  label VARCHAR NOT NULL,
  category VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  confidence INTEGER NOT NULL,
  program VARCHAR,
  reference VARCHAR,
  cluster_defining BOOLEAN NOT NULL,
  actor VARCHAR
);
