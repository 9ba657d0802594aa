-- name: audit.insert
-- params: $id VARCHAR, $at TIMESTAMP, $key_id VARCHAR, $action VARCHAR, $target VARCHAR, $target_sha256 VARCHAR, $status INTEGER, $details VARCHAR
INSERT INTO audit_log (id, logged_at, key_id, action, target, target_sha256, status, details)
VALUES ($id, $at, $key_id, $action, $target, $target_sha256, $status, $details);
