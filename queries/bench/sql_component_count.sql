-- name: bench.sql_component_count
-- params: (none)
SELECT count(DISTINCT root)::BIGINT AS n FROM cluster_work_root;
