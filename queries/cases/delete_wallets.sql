-- name: cases.delete_wallets
-- params: $name VARCHAR
DELETE FROM case_wallets WHERE case_name = $name;
