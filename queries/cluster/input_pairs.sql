-- name: cluster.input_pairs
-- params: (none)
-- (tx id, address id, address key) for every input with an address of a new non-CoinJoin transaction.
SELECT i.tx_id, i.addr_id, i.addr_key FROM utxo_input_ids i
WHERE i.tx_id IN (SELECT w.tx_id FROM cluster_work_tx w WHERE w.coinjoin IS NULL);
