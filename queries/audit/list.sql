-- name: audit.list
-- params: $limit BIGINT
-- Newest first.
SELECT id, strftime(logged_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS at, key_id, action, target, target_sha256, status, details
FROM audit_log ORDER BY logged_at DESC, id DESC LIMIT $limit;
