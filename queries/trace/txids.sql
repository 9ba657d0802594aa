-- name: trace.txids
-- params: $ids INTEGER[]
SELECT id, txid FROM tx_ids WHERE id IN (SELECT unnest($ids));
