-- name: change.paid
-- params: $chain VARCHAR, $all BOOLEAN
-- (address id, tx id, block height) of every stored confirmed payment to an address of the change work
-- (to any address when $all): the caller keeps each address's lowest height.
SELECT o.addr_id, o.tx_id, f.block_height
FROM utxo_output_ids o JOIN utxo_tx_fingerprints f ON f.chain = $chain AND f.tx_id = o.tx_id
WHERE f.block_height IS NOT NULL AND ($all OR o.addr_id IN (SELECT addr_id FROM change_work_addr));
