-- name: utxo.clear_stage_txs
-- params: (none)
DELETE FROM utxo_txs_stage;
