-- name: alerts.webhook_insert
-- params: $id VARCHAR, $url VARCHAR, $secret VARCHAR, $fingerprint VARCHAR, $now VARCHAR
INSERT INTO webhooks (id, url, secret, fingerprint, created_at) VALUES ($id, $url, $secret, $fingerprint, $now::TIMESTAMP);
