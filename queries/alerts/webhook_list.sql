-- name: alerts.webhook_list
-- params: (none)
-- Never the secret: its fingerprint only.
SELECT w.id, w.url, w.fingerprint, strftime(w.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
       count(o.alert_id) FILTER (WHERE o.status = 'pending')::INTEGER AS pending,
       count(o.alert_id) FILTER (WHERE o.status = 'delivered')::INTEGER AS delivered,
       count(o.alert_id) FILTER (WHERE o.status = 'failed')::INTEGER AS failed,
       arg_max(o.last_error, o.next_attempt_at) FILTER (WHERE o.status = 'failed') AS last_error
FROM webhooks w LEFT JOIN alert_outbox o ON o.webhook_id = w.id
GROUP BY w.id, w.url, w.fingerprint, w.created_at
ORDER BY w.created_at, w.id;
