-- name: trace.ingested
-- params: $chain VARCHAR
-- Ids of the chain's addresses whose whole history was ingested (they have a sync cursor).
SELECT DISTINCT a.id FROM sync_cursors c JOIN address_ids a ON a.address = c.address WHERE c.chain = $chain;
