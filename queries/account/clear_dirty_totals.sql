-- name: account.clear_dirty_totals
-- params: (none)
DELETE FROM account_totals_dirty;
