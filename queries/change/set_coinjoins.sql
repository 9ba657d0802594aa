-- name: change.set_coinjoins
-- params: $chain VARCHAR, $ids INTEGER[], $kinds VARCHAR[]
-- Parallel lists: each tx id with the CoinJoin kind detected (NULL: none).
UPDATE utxo_tx_fingerprints f SET coinjoin = u.kind, coinjoin_checked = true
FROM (SELECT unnest($ids) AS id, unnest($kinds) AS kind) u
WHERE f.chain = $chain AND f.tx_id = u.id;
