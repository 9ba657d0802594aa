-- name: watch.mark_screened
-- params: $watchlist VARCHAR
-- Records every stored transaction of the watchlist's addresses as screened (run in the transaction
-- that wrote the alerts of watch.counterparty_hits, so both see the same transactions).
INSERT INTO watch_screened (watchlist, chain, txid)
WITH w AS (
  SELECT chain, address FROM watchlist_addresses WHERE watchlist = $watchlist
),
touched AS (
  SELECT i.chain, i.txid FROM utxo_inputs i JOIN w ON w.chain = i.chain AND w.address = i.address
  UNION
  SELECT o.chain, o.txid FROM utxo_outputs o JOIN w ON w.chain = o.chain AND w.address = o.address
  UNION
  SELECT t.chain, t.txid FROM account_transfers t JOIN w ON w.chain = t.chain AND w.address = t.from_address
  UNION
  SELECT t.chain, t.txid FROM account_transfers t JOIN w ON w.chain = t.chain AND w.address = t.to_address
)
SELECT $watchlist, touched.chain, touched.txid FROM touched
ANTI JOIN (SELECT chain, txid FROM watch_screened WHERE watchlist = $watchlist) done
  ON done.chain = touched.chain AND done.txid = touched.txid;
