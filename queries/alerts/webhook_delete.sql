-- name: alerts.webhook_delete
-- params: $id VARCHAR
DELETE FROM webhooks WHERE id = $id;
