-- name: jobs.create
-- params: $id VARCHAR, $kind VARCHAR, $params JSON
INSERT INTO jobs (id, kind, status, params, progress_done, progress_total, created_at, updated_at)
VALUES ($id, $kind, 'queued', $params, 0, 0, current_timestamp, current_timestamp);
