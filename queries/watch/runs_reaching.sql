-- name: watch.runs_reaching
-- params: $addresses VARCHAR[]
-- The latest run of each saved query whose trace reached one of these addresses (a node or an endpoint).
WITH latest AS (
  SELECT query_name, id, result FROM query_runs
  QUALIFY row_number() OVER (PARTITION BY query_name ORDER BY finished_at DESC, started_at DESC) = 1
)
SELECT query_name, id FROM latest
WHERE len(list_intersect(json_extract_string(result, '$.trace.nodes[*].address'), $addresses)) > 0
   OR len(list_intersect(json_extract_string(result, '$.endpoints[*].address'), $addresses)) > 0
ORDER BY query_name;
