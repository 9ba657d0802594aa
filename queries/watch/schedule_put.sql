-- name: watch.schedule_put
-- params: $kind VARCHAR, $name VARCHAR, $every_seconds INTEGER, $alert_on VARCHAR, $next_run_at VARCHAR
-- Sets when a saved query or watchlist runs and what it alerts on; its run history stays.
INSERT INTO schedules (kind, name, every_seconds, alert_on, next_run_at)
VALUES ($kind, $name, $every_seconds, $alert_on, $next_run_at::TIMESTAMP)
ON CONFLICT (kind, name) DO UPDATE SET
  every_seconds = excluded.every_seconds, alert_on = excluded.alert_on, next_run_at = excluded.next_run_at;
