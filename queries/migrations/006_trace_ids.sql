-- migration: 006_trace_ids
-- Integer ids for the resident trace graph: each account transfer gets a row id `tid` and its
-- parties' address_ids, set by the trace index the first time a trace sees the row (NULL until
-- then, so what was ingested since the last trace is found without comparing anything).
CREATE SEQUENCE transfer_id_seq START 1;
ALTER TABLE account_transfers ADD COLUMN tid BIGINT;
ALTER TABLE account_transfers ADD COLUMN from_id INTEGER;
ALTER TABLE account_transfers ADD COLUMN to_id INTEGER;
