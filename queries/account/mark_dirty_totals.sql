-- name: account.mark_dirty_totals
-- params: (none)
-- Parties, before and after, of the staged transfers that were stored already: an update may have
-- moved value or time between them, so their totals are counted again.
INSERT INTO account_totals_dirty
WITH rewritten AS (
  SELECT o.chain, o.from_address, o.to_address
  FROM account_transfers_seen o
  SEMI JOIN account_transfers_stage s ON o.chain = s.chain AND o.txid = s.txid AND o.kind = s.kind AND o.seq = s.seq
  UNION ALL
  SELECT s.chain, s.from_address, s.to_address
  FROM account_transfers_stage s
  SEMI JOIN account_transfers_seen o ON o.chain = s.chain AND o.txid = s.txid AND o.kind = s.kind AND o.seq = s.seq
)
SELECT DISTINCT chain, address FROM (
  SELECT chain, from_address AS address FROM rewritten
  UNION ALL
  SELECT chain, to_address FROM rewritten
)
WHERE address IS NOT NULL;
