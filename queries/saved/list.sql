-- name: saved.list
-- params: (none)
SELECT q.name, q.params::VARCHAR AS params, strftime(q.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
       (SELECT count(*) FROM query_runs r WHERE r.query_name = q.name)::INTEGER AS runs,
       (SELECT strftime(max(r.finished_at), '%Y-%m-%dT%H:%M:%SZ') FROM query_runs r WHERE r.query_name = q.name) AS last_run
FROM saved_queries q ORDER BY q.name;
