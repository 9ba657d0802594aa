-- name: trace.addresses
-- params: $ids INTEGER[]
SELECT id, address FROM address_ids WHERE id IN (SELECT unnest($ids));
