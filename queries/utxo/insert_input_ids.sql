-- name: utxo.insert_input_ids
-- params: $tx_id INTEGER, $vins INTEGER[], $addresses VARCHAR[]
-- Parallel lists: each input that has an address, as (tx id, vin, address id, address key).
INSERT INTO utxo_input_ids (tx_id, vin, addr_id, addr_key)
SELECT $tx_id, q.vin, a.id, a.key
FROM (SELECT unnest($vins) AS vin, unnest($addresses) AS address) q JOIN address_ids a ON a.address = q.address
ORDER BY q.vin;
