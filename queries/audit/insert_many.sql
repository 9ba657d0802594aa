-- name: audit.insert_many
-- params: $rows VARCHAR
-- The rows of a group commit (requests that wrote nothing), given as one JSON array: one statement run
-- by the database, where an appender would flush on the thread that answers requests.
INSERT INTO audit_log (id, logged_at, key_id, action, target, target_sha256, status, details)
SELECT r.id, make_timestamp(r.at_micros), r.key_id, r.action, r.target, r.target_sha256, r.status, r.details
FROM (
  SELECT unnest(from_json($rows, '[{"id": "VARCHAR", "at_micros": "BIGINT", "key_id": "VARCHAR",
    "action": "VARCHAR", "target": "VARCHAR", "target_sha256": "VARCHAR", "status": "INTEGER",
    "details": "VARCHAR"}]')) AS r
);
