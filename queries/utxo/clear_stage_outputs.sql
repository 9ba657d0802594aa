-- name: utxo.clear_stage_outputs
-- params: (none)
DELETE FROM utxo_outputs_stage;
