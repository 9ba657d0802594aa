-- name: jobs.get
-- params: $id VARCHAR
SELECT id, kind, status, params, progress_done, progress_total, result, error,
       strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') AS updated_at
FROM jobs WHERE id = $id;
