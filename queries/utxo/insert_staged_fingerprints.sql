-- name: utxo.insert_staged_fingerprints
-- params: (none)
INSERT INTO utxo_tx_fingerprints
  (chain, tx_id, block_height, version, locktime, rbf, coinjoin, coinjoin_checked, in_type, min_in)
SELECT chain, tx_id, CASE WHEN confirmed THEN block_height END, version, locktime, rbf, coinjoin, true, in_type, min_in
FROM utxo_txs_stage ORDER BY tx_id;
