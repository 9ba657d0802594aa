-- name: labels.case_wallets_for
-- params: $addresses VARCHAR[]
-- Wallets flagged in cases, on any of these normalised addresses: a case's attribution is a label as
-- soon as it is added (the caller keeps those of the right chain space).
SELECT w.chain, w.address, w.label, w.category, w.note, w.case_name
FROM case_wallets w
SEMI JOIN (SELECT unnest($addresses) AS address) q ON w.address = q.address
ORDER BY w.address, w.case_name;
