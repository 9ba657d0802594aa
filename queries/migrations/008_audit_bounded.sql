-- migration: 008_audit_bounded
-- Audit rows are bounded: the target is cut to a few hundred characters and the SHA-256 of the full
-- value is kept beside it. `details` (JSON) holds what a write reports about itself, such as the label
-- rows a dataset replacement added and removed.
ALTER TABLE audit_log ADD COLUMN target_sha256 VARCHAR;
ALTER TABLE audit_log ADD COLUMN details VARCHAR;
