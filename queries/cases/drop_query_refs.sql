-- name: cases.drop_query_refs
-- params: $query_name VARCHAR
-- A saved query deleted: the cases that held it let go of it.
DELETE FROM case_queries WHERE query_name = $query_name;
