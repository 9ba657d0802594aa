-- name: alerts.due
-- params: $now VARCHAR, $limit BIGINT
-- Deliveries whose time has come, oldest first, with what signing and sending them needs.
SELECT o.alert_id, o.webhook_id, o.attempts, w.url, w.secret
FROM alert_outbox o JOIN webhooks w ON w.id = o.webhook_id
WHERE o.status = 'pending' AND o.next_attempt_at <= $now::TIMESTAMP
ORDER BY o.next_attempt_at, o.alert_id, o.webhook_id
LIMIT $limit;
