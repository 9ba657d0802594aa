-- name: watch.schedule_next
-- params: (none)
SELECT strftime(min(next_run_at), '%Y-%m-%dT%H:%M:%S.%gZ') AS next_run_at FROM schedules WHERE every_seconds IS NOT NULL;
