-- name: bench.sql_component_count
-- params: (none)
SELECT count(DISTINCT cluster_id)::BIGINT AS n FROM cluster_work_member;
