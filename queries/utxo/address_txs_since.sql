-- name: utxo.address_txs_since
-- params: $chain VARCHAR, $address VARCHAR, $min_height INTEGER
-- Stored transactions touching the address that are unconfirmed or at/above a height (reorg and mempool checks).
SELECT t.txid, t.confirmed, t.block_hash, t.block_height FROM utxo_txs t
WHERE t.chain = $chain
  AND (NOT t.confirmed OR t.block_height >= $min_height)
  AND t.txid IN (
    SELECT txid FROM utxo_outputs WHERE chain = $chain AND address = $address
    UNION SELECT txid FROM utxo_inputs WHERE chain = $chain AND address = $address
  )
ORDER BY t.txid;
