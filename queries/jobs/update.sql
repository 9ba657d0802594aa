-- name: jobs.update
-- params: $id VARCHAR, $status VARCHAR, $progress_done INTEGER, $progress_total INTEGER, $result JSON, $error JSON
UPDATE jobs SET status = $status, progress_done = $progress_done, progress_total = $progress_total,
  result = coalesce($result, result), error = coalesce($error, error), updated_at = current_timestamp
WHERE id = $id;
