-- name: watch.schedule_due
-- params: $now VARCHAR
-- Scheduled runs whose time has come, the longest overdue first.
SELECT kind, name, every_seconds, strftime(next_run_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS next_run_at
FROM schedules
WHERE every_seconds IS NOT NULL AND next_run_at <= $now::TIMESTAMP
ORDER BY next_run_at, kind, name;
