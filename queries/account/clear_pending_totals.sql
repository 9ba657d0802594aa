-- name: account.clear_pending_totals
-- params: (none)
DELETE FROM account_totals_pending;
