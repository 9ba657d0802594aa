-- name: watch.schedule_started
-- params: $kind VARCHAR, $name VARCHAR, $now VARCHAR
UPDATE schedules SET last_started_at = $now::TIMESTAMP WHERE kind = $kind AND name = $name;
