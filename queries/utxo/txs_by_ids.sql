-- name: utxo.txs_by_ids
-- params: $chain VARCHAR, $txids VARCHAR[]
SELECT txid, block_height, block_hash, block_time, confirmed, fee, size, weight, version, locktime
FROM utxo_txs WHERE chain = $chain AND txid IN (SELECT unnest($txids));
