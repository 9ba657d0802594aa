-- name: utxo.first_seen
-- params: $chain VARCHAR, $addresses VARCHAR[]
-- The first confirmed transaction each address received in (for one-time-change detection).
SELECT o.address, arg_min(o.txid, t.block_height) AS txid, min(t.block_height) AS height
FROM utxo_outputs o JOIN utxo_txs t ON t.chain = o.chain AND t.txid = o.txid
WHERE o.chain = $chain AND o.address IN (SELECT unnest($addresses)) AND t.confirmed
GROUP BY o.address;
