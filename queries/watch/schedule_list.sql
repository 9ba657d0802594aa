-- name: watch.schedule_list
-- params: (none)
SELECT kind, name, every_seconds, alert_on,
       strftime(next_run_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS next_run_at,
       strftime(last_started_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS last_started_at,
       strftime(last_finished_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS last_finished_at,
       last_status, last_error, last_summary, runs, skipped
FROM schedules ORDER BY kind, name;
