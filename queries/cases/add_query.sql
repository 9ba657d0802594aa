-- name: cases.add_query
-- params: $case_name VARCHAR, $query_name VARCHAR
INSERT INTO case_queries (case_name, query_name, added_at) VALUES ($case_name, $query_name, current_timestamp)
ON CONFLICT DO NOTHING;
