-- name: account.pending_totals_count
-- params: (none)
SELECT count(*)::BIGINT AS n FROM account_totals_pending;
