-- migration: 013_change_work_guess_codes
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
