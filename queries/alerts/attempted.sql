-- name: alerts.attempted
-- params: $alert_id VARCHAR, $webhook_id VARCHAR, $status VARCHAR, $next_attempt_at VARCHAR, $last_status INTEGER, $last_error VARCHAR, $now VARCHAR
-- One delivery attempt's outcome: delivered (2xx), pending again at $next_attempt_at, or failed.
UPDATE alert_outbox SET status = $status, attempts = attempts + 1, next_attempt_at = $next_attempt_at::TIMESTAMP,
  last_status = $last_status, last_error = $last_error,
  delivered_at = CASE WHEN $status = 'delivered' THEN $now::TIMESTAMP ELSE delivered_at END
WHERE alert_id = $alert_id AND webhook_id = $webhook_id AND status = 'pending';
