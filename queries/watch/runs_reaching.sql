-- name: watch.runs_reaching
-- params: $addresses VARCHAR[]
-- The latest run of each saved query whose trace reached one of these addresses (a node or an
-- endpoint). The latest runs are found first so only their results are read.
WITH latest AS (
  SELECT id FROM query_runs
  QUALIFY row_number() OVER (PARTITION BY query_name ORDER BY finished_at DESC, started_at DESC) = 1
)
SELECT r.query_name, r.id FROM query_runs r SEMI JOIN latest ON latest.id = r.id
WHERE len(list_intersect(json_extract_string(r.result, '$.trace.nodes[*].address'), $addresses)) > 0
   OR len(list_intersect(json_extract_string(r.result, '$.endpoints[*].address'), $addresses)) > 0
ORDER BY r.query_name;
