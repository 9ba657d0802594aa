-- name: account.stage_seen
-- params: (none)
-- The stored transfers of the staged transactions: which staged rows are stored already, and which
-- (address, asset) pairs a transaction already counts. One pass over the table, hashing the batch.
INSERT INTO account_transfers_seen
SELECT t.chain, t.txid, t.kind, t.seq, t.from_address, t.to_address, t.asset
FROM account_transfers t
SEMI JOIN (SELECT DISTINCT chain, txid FROM account_transfers_stage) s ON t.chain = s.chain AND t.txid = s.txid;
