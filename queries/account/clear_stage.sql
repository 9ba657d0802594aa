-- name: account.clear_stage
-- params: (none)
DELETE FROM account_transfers_stage;
