-- name: watch.schedule_delete
-- params: $kind VARCHAR, $name VARCHAR
DELETE FROM schedules WHERE kind = $kind AND name = $name;
