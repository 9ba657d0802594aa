-- name: account.merge_address_txs
-- params: (none)
-- Folds the pending all-asset transaction counts into account_address_txs.
INSERT INTO account_address_txs AS a
SELECT chain, address, sum(tx_count)::BIGINT
FROM account_totals_pending
WHERE asset IS NULL
GROUP BY chain, address
ON CONFLICT (chain, address) DO UPDATE SET tx_count = a.tx_count + excluded.tx_count;
