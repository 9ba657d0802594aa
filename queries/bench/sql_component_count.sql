-- name: bench.sql_component_count
-- params: (none)
SELECT count(DISTINCT root_rank)::BIGINT AS n FROM cluster_work_root;
