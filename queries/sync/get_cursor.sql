-- name: sync.get_cursor
-- params: $source VARCHAR, $chain VARCHAR, $address VARCHAR
SELECT cursor, tip_height FROM sync_cursors WHERE source = $source AND chain = $chain AND address = $address;
