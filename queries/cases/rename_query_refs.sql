-- name: cases.rename_query_refs
-- params: $query_name VARCHAR, $new_name VARCHAR
-- A saved query renamed: the cases that hold it follow.
UPDATE case_queries SET query_name = $new_name WHERE query_name = $query_name;
