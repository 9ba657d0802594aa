-- name: utxo.stage_addresses
-- params: (none)
-- Each address of the staged inputs and outputs once, with the position it first appears at.
INSERT INTO address_ids_stage (address, ord)
SELECT address, min(ord) FROM (
  SELECT address, ord FROM utxo_inputs_stage WHERE address IS NOT NULL
  UNION ALL SELECT address, ord FROM utxo_outputs_stage WHERE address IS NOT NULL
) GROUP BY address;
