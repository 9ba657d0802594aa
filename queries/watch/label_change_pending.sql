-- name: watch.label_change_pending
-- params: (none)
-- Label changes not re-screened yet (the process stopped, or the re-screen failed), oldest first.
SELECT id, dataset, source_hash, change::VARCHAR AS change, error
FROM label_changes ORDER BY created_at, id;
