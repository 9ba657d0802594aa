-- name: utxo.clear_stage_inputs
-- params: (none)
DELETE FROM utxo_inputs_stage;
