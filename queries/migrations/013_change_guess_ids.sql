-- migration: 013_change_guess_ids
-- The change step's scratch guesses name their heuristic by its position in core/change.ts's
-- CHANGE_HEURISTICS: an integer appends in bulk, a string costs a native call per row. The table
-- is empty between runs.
DROP TABLE change_work_guess;

CREATE TABLE change_work_guess (
  tx_id INTEGER NOT NULL,
  vout INTEGER NOT NULL,
  addr_id INTEGER NOT NULL,
  heuristic INTEGER NOT NULL,
  confidence INTEGER NOT NULL,
  reason VARCHAR NOT NULL,
  spenders INTEGER,
  big_id INTEGER
);

-- Change guesses by integer ids, appended in tx-id order: a run writes no txid or address string per
-- guess and no index (a tx's guesses are found through its id's zone); change_guesses names them.
-- A reason's chr(1) stands for the guessed output's address.
CREATE TABLE change_guess_ids (
  chain VARCHAR NOT NULL,
  tx_id INTEGER NOT NULL,
  vout INTEGER NOT NULL,
  addr_id INTEGER NOT NULL,
  heuristic VARCHAR NOT NULL,
  confidence INTEGER NOT NULL,
  reason VARCHAR NOT NULL
);

INSERT INTO change_guess_ids
SELECT g.chain, x.id, g.vout, a.id, g.heuristic, g.confidence, g.reason
FROM change_guesses g JOIN tx_ids x ON x.txid = g.txid JOIN address_ids a ON a.address = g.address
ORDER BY x.id, g.vout, g.heuristic;

DROP TABLE change_guesses;

CREATE VIEW change_guesses AS
SELECT g.chain, x.txid, g.vout, a.address, g.heuristic, g.confidence,
  replace(g.reason, chr(1), a.address) AS reason
FROM change_guess_ids g JOIN tx_ids x ON x.id = g.tx_id JOIN address_ids a ON a.id = g.addr_id;
