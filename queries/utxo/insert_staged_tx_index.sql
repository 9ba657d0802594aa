-- name: utxo.insert_staged_tx_index
-- params: (none)
INSERT INTO utxo_tx_index (chain, tx_id, confirmed, coinbase, input_count, output_count)
SELECT chain, tx_id, confirmed, coinbase, input_count, output_count FROM utxo_txs_stage ORDER BY tx_id;
