-- name: ids.address_ids
-- params: $addresses VARCHAR[]
SELECT id, address, key FROM address_ids WHERE address IN (SELECT unnest($addresses));
