-- name: trace.blocks_of
-- params: $chain VARCHAR, $txids VARCHAR[]
-- Block height and time (Unix seconds) of these transactions, UTXO or account; null while unconfirmed.
SELECT txid, block_height::BIGINT AS height, block_time AS time
FROM utxo_txs WHERE chain = $chain AND txid IN (SELECT unnest($txids))
UNION ALL
SELECT txid, min(block_number) AS height, min(block_time) AS time
FROM account_transfers WHERE chain = $chain AND txid IN (SELECT unnest($txids))
GROUP BY txid;
