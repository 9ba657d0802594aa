-- name: alerts.ack
-- params: $id VARCHAR, $now VARCHAR, $by VARCHAR
-- Acknowledging twice keeps the first acknowledgement.
UPDATE alerts SET status = 'acked', acked_at = $now::TIMESTAMP, acked_by = $by WHERE id = $id AND status <> 'acked';
