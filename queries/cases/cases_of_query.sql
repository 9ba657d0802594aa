-- name: cases.cases_of_query
-- params: $query_name VARCHAR
SELECT case_name FROM case_queries WHERE query_name = $query_name ORDER BY case_name;
