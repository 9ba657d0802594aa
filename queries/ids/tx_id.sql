-- name: ids.tx_id
-- params: $txid VARCHAR
SELECT id FROM tx_ids WHERE txid = $txid;
