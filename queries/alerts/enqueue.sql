-- name: alerts.enqueue
-- params: $ids VARCHAR[], $now VARCHAR
-- An outbox row per new alert and configured webhook, in the transaction that wrote the alerts.
INSERT INTO alert_outbox (alert_id, webhook_id, status, attempts, next_attempt_at)
SELECT a.id, w.id, 'pending', 0, $now::TIMESTAMP
FROM (SELECT unnest($ids) AS id) a CROSS JOIN webhooks w;
