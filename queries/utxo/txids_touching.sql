-- name: utxo.txids_touching
-- params: $chain VARCHAR, $addresses VARCHAR[]
-- Every stored confirmed transaction that pays or spends one of these addresses, in chain order.
SELECT t.txid FROM utxo_txs t
WHERE t.chain = $chain AND t.confirmed AND t.txid IN (
  SELECT txid FROM utxo_outputs WHERE chain = $chain AND address IN (SELECT unnest($addresses))
  UNION SELECT txid FROM utxo_inputs WHERE chain = $chain AND address IN (SELECT unnest($addresses))
)
ORDER BY t.block_height, t.txid;
