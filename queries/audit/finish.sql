-- name: audit.finish
-- params: $id VARCHAR, $status INTEGER, $details VARCHAR
-- The answer of a write whose row was written with its commit (status 0 until then).
UPDATE audit_log SET status = $status, details = coalesce($details, details) WHERE id = $id;
