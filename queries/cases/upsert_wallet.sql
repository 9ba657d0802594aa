-- name: cases.upsert_wallet
-- params: $case_name VARCHAR, $chain VARCHAR, $address VARCHAR, $label VARCHAR, $category VARCHAR, $note VARCHAR
-- Adding a wallet again updates what was said about it.
INSERT INTO case_wallets (case_name, chain, address, label, category, note, added_at)
VALUES ($case_name, $chain, $address, $label, $category, $note, current_timestamp)
ON CONFLICT (case_name, chain, address) DO UPDATE SET
  label = coalesce(excluded.label, case_wallets.label),
  category = coalesce(excluded.category, case_wallets.category),
  note = coalesce(excluded.note, case_wallets.note);
