-- name: utxo.delete_tx
-- params: $chain VARCHAR, $txid VARCHAR
-- Removes a transaction that left the chain (reorg, replaced in the mempool), and the spends it made.
DELETE FROM utxo_txs WHERE chain = $chain AND txid = $txid;
