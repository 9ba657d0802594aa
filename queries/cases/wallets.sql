-- name: cases.wallets
-- params: $case_name VARCHAR
SELECT chain, address, label, category, note, strftime(added_at, '%Y-%m-%dT%H:%M:%SZ') AS added_at
FROM case_wallets WHERE case_name = $case_name ORDER BY chain, address;
