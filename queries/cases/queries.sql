-- name: cases.queries
-- params: $case_name VARCHAR
SELECT query_name FROM case_queries WHERE case_name = $case_name ORDER BY query_name;
