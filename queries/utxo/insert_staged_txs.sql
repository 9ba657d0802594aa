-- name: utxo.insert_staged_txs
-- params: (none)
INSERT INTO utxo_txs (chain, txid, block_height, block_hash, block_time, confirmed, fee, size, weight, version, locktime,
  input_count, output_count)
SELECT chain, txid, block_height, block_hash, block_time, confirmed, fee, size, weight, version, locktime,
  input_count, output_count
FROM utxo_txs_stage ORDER BY ord;
