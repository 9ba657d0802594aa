-- name: alerts.deliveries_of
-- params: $id VARCHAR
SELECT webhook_id, status, attempts, last_status, last_error,
       strftime(next_attempt_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS next_attempt_at,
       strftime(delivered_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS delivered_at
FROM alert_outbox WHERE alert_id = $id ORDER BY webhook_id;
