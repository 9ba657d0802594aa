-- name: change.fill_work_addr
-- params: (none)
-- Every address an input or output of a non-CoinJoin work transaction has.
INSERT INTO change_work_addr (addr_id)
SELECT addr_id FROM utxo_input_ids WHERE tx_id IN (SELECT tx_id FROM cluster_work_tx WHERE coinjoin IS NULL)
UNION
SELECT addr_id FROM utxo_output_ids WHERE tx_id IN (SELECT tx_id FROM cluster_work_tx WHERE coinjoin IS NULL);
