-- name: utxo.stage_known
-- params: (none)
-- Staged transactions already stored (re-fetched after a reorg or once confirmed): rewritten whole.
UPDATE utxo_txs_stage s SET known = true
FROM utxo_txs t WHERE t.chain = s.chain AND t.txid = s.txid;
