-- name: change.first_seen
-- params: $chain VARCHAR, $addresses VARCHAR[]
-- The first stored confirmed transaction (chain order) paying each of these addresses.
SELECT o.address, t.txid, t.block_height
FROM utxo_outputs o JOIN utxo_txs t ON t.chain = o.chain AND t.txid = o.txid
WHERE o.chain = $chain AND t.confirmed AND o.address IN (SELECT unnest($addresses))
QUALIFY row_number() OVER (PARTITION BY o.address ORDER BY t.block_height, t.txid) = 1;
