-- name: trace.utxo_watermark
-- params: $chain VARCHAR
-- The chain's stored transactions: the highest tx id and how many there are (fewer than loaded: some were removed).
SELECT coalesce(max(tx_id), 0)::INTEGER AS upto, count(*)::BIGINT AS n FROM utxo_tx_index WHERE chain = $chain;
