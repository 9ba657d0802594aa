-- name: labels.total
-- params: (none)
SELECT count(*)::BIGINT AS n FROM labels;
