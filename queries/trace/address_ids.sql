-- name: trace.address_ids
-- params: $addresses VARCHAR[]
SELECT address, id FROM address_ids WHERE address IN (SELECT unnest($addresses));
