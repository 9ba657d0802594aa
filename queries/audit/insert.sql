-- name: audit.insert
-- params: $id VARCHAR, $key_id VARCHAR, $action VARCHAR, $target VARCHAR, $status INTEGER
INSERT INTO audit_log (id, logged_at, key_id, action, target, status)
VALUES ($id, current_timestamp, $key_id, $action, $target, $status);
