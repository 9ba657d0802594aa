-- name: sync.set_cursor
-- params: $source VARCHAR, $chain VARCHAR, $address VARCHAR, $cursor VARCHAR, $tip_height BIGINT
INSERT INTO sync_cursors (source, chain, address, cursor, tip_height, updated_at)
VALUES ($source, $chain, $address, $cursor, $tip_height, current_timestamp)
ON CONFLICT (source, chain, address) DO UPDATE SET
  cursor = excluded.cursor, tip_height = excluded.tip_height, updated_at = excluded.updated_at;
