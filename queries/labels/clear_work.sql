-- name: labels.clear_work
-- params: (none)
DELETE FROM label_work;
