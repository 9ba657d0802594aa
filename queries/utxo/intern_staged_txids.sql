-- name: utxo.intern_staged_txids
-- params: (none)
INSERT INTO tx_ids (txid, id)
SELECT DISTINCT txid, tx_id FROM utxo_txs_stage WHERE NOT had_id ORDER BY tx_id;
