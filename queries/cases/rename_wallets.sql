-- name: cases.rename_wallets
-- params: $name VARCHAR, $new_name VARCHAR
UPDATE case_wallets SET case_name = $new_name WHERE case_name = $name;
