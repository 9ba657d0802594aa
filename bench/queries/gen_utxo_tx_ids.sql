-- name: bench.gen_utxo_tx_ids
-- params: (none)
INSERT INTO tx_ids (txid, id) SELECT txid, nextval('tx_id_seq') FROM (SELECT txid FROM utxo_txs ORDER BY txid);
