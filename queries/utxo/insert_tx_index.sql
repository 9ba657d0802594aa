-- name: utxo.insert_tx_index
-- params: $chain VARCHAR, $tx_id INTEGER, $confirmed BOOLEAN, $coinbase BOOLEAN, $input_count INTEGER, $output_count INTEGER
INSERT INTO utxo_tx_index (chain, tx_id, confirmed, coinbase, input_count, output_count)
VALUES ($chain, $tx_id, $confirmed, $coinbase, $input_count, $output_count);
