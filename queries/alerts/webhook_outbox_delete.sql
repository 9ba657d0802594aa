-- name: alerts.webhook_outbox_delete
-- params: $id VARCHAR
-- A deleted webhook's deliveries go with it.
DELETE FROM alert_outbox WHERE webhook_id = $id;
