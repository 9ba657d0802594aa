-- name: cases.list
-- params: (none)
SELECT c.name, c.title, strftime(c.updated_at, '%Y-%m-%dT%H:%M:%SZ') AS updated_at,
       (SELECT count(*) FROM case_wallets w WHERE w.case_name = c.name)::INTEGER AS wallets,
       (SELECT count(*) FROM case_queries q WHERE q.case_name = c.name)::INTEGER AS queries,
       (SELECT count(*) FROM case_notes n WHERE n.case_name = c.name)::INTEGER AS notes
FROM cases c ORDER BY c.name;
