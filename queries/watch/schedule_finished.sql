-- name: watch.schedule_finished
-- params: $kind VARCHAR, $name VARCHAR, $now VARCHAR, $next_run_at VARCHAR, $status VARCHAR, $error VARCHAR, $summary VARCHAR, $skipped INTEGER
-- A run ended: when the next is due (runs that would have overlapped this one are counted as skipped).
UPDATE schedules SET last_finished_at = $now::TIMESTAMP, next_run_at = $next_run_at::TIMESTAMP,
  last_status = $status, last_error = $error, last_summary = $summary, runs = runs + 1, skipped = skipped + $skipped
WHERE kind = $kind AND name = $name;
