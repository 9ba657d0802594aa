-- name: utxo.stage_tx_ids
-- params: (none)
-- Ids of the staged txids that have one (interned by an earlier write).
UPDATE utxo_txs_stage s SET tx_id = x.id, had_id = true
FROM tx_ids x WHERE x.txid = s.txid;
