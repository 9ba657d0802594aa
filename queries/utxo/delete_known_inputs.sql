-- name: utxo.delete_known_inputs
-- params: (none)
-- The stored rows of staged transactions that are rewritten (written again from the stage).
DELETE FROM utxo_inputs WHERE (chain, txid) IN (SELECT chain, txid FROM utxo_txs_stage WHERE known);
