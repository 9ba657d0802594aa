-- name: jobs.fail_interrupted
-- params: (none)
-- Jobs left queued/running by a process that died cannot finish: say so (rerunning resumes the work).
UPDATE jobs SET status = 'failed', error = '{"code":"INTERRUPTED","message":"the process running this job stopped; run it again to resume"}', updated_at = current_timestamp
WHERE status IN ('queued', 'running');
