-- name: alerts.next_due
-- params: (none)
SELECT strftime(min(next_attempt_at), '%Y-%m-%dT%H:%M:%S.%gZ') AS next_attempt_at FROM alert_outbox WHERE status = 'pending';
