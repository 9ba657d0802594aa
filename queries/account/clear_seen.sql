-- name: account.clear_seen
-- params: (none)
DELETE FROM account_transfers_seen;
