-- name: utxo.tx_state
-- params: $chain VARCHAR, $txids VARCHAR[]
-- What is stored of these transactions: confirmed and in which block.
SELECT txid, confirmed, block_hash, block_height FROM utxo_txs
WHERE chain = $chain AND txid IN (SELECT unnest($txids));
