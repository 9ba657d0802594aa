-- name: bench.gen_utxo_tx_index
-- params: (none)
INSERT INTO utxo_tx_index (chain, tx_id, confirmed, coinbase, input_count, output_count)
SELECT t.chain, x.id, t.confirmed,
  EXISTS (SELECT 1 FROM utxo_inputs i WHERE i.chain = t.chain AND i.txid = t.txid AND i.is_coinbase),
  t.input_count, t.output_count
FROM utxo_txs t JOIN tx_ids x ON x.txid = t.txid
ORDER BY x.id;
