-- name: evidence.log_body
-- params: $sha256 VARCHAR, $body VARCHAR
INSERT INTO response_bodies (sha256, body) VALUES ($sha256, $body) ON CONFLICT DO NOTHING;
