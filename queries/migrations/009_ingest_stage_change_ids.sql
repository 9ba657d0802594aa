-- migration: 009_ingest_stage_change_ids
-- Ingest appends a batch of pages to staging tables and merges it set-based in the same transaction
-- (they are empty outside one). Change heuristics read per-transaction fingerprints and outputs as ids,
-- written with each transaction.
-- the columns a writer gives (not the trace index's ids)
CREATE TABLE account_transfers_stage AS
SELECT chain, txid, kind, seq, block_number, block_hash, block_time, tx_index, log_index, trace_address,
  from_address, to_address, asset, symbol, decimals, value, success
FROM account_transfers LIMIT 0;

-- ord: position in the batch (inputs and outputs share one count); tx_id, had_id (interned before) and
-- known (stored before) are set by the merge; the rest is what change heuristics need of the tx alone.
CREATE TABLE utxo_txs_stage AS
SELECT 0::INTEGER AS ord, *, false AS coinbase, NULL::BOOLEAN AS rbf, NULL::VARCHAR AS coinjoin,
  NULL::VARCHAR AS in_type, NULL::HUGEINT AS min_in, NULL::INTEGER AS tx_id, false AS had_id, false AS known
FROM utxo_txs LIMIT 0;

CREATE TABLE utxo_inputs_stage AS SELECT 0::INTEGER AS ord, * FROM utxo_inputs LIMIT 0;

-- spend_known false: this write does not know the spend, so a stored one is kept.
CREATE TABLE utxo_outputs_stage AS SELECT 0::INTEGER AS ord, *, false AS spend_known FROM utxo_outputs LIMIT 0;

CREATE TABLE address_ids_stage (
  address VARCHAR NOT NULL,
  ord INTEGER NOT NULL,
  id INTEGER,
  key BIGINT,
  fresh BOOLEAN
);

-- What change heuristics need of each stored UTXO transaction, computed once when it is written.
-- block_height is NULL while unconfirmed; rbf: some input's nSequence is below 0xfffffffe (NULL when a
-- sequence is unknown); coinjoin: the CoinJoin kind detected (coinjoin_checked false: not looked at yet,
-- for rows carried over from an older file); in_type: the one script type of all inputs (NULL when
-- they differ); min_in: the smallest input value.
CREATE TABLE utxo_tx_fingerprints (
  chain VARCHAR NOT NULL,
  tx_id INTEGER NOT NULL,
  block_height INTEGER,
  version INTEGER,
  locktime BIGINT,
  rbf BOOLEAN,
  coinjoin VARCHAR,
  coinjoin_checked BOOLEAN NOT NULL,
  in_type VARCHAR,
  min_in HUGEINT
);

-- Each output that has an address, as ids (addr_key repeats address_ids.key, as in utxo_input_ids).
CREATE TABLE utxo_output_ids (
  tx_id INTEGER NOT NULL,
  vout INTEGER NOT NULL,
  addr_id INTEGER NOT NULL,
  addr_key BIGINT NOT NULL,
  value HUGEINT NOT NULL,
  script_type VARCHAR
);

-- Scratch tables of the change step of a clustering run: the addresses its transactions touch, and
-- the guesses before their txid and address strings are filled in (see queries/change/insert_guesses.sql).
CREATE TABLE change_work_addr (
  addr_id INTEGER NOT NULL
);

CREATE TABLE change_work_guess (
  tx_id INTEGER NOT NULL,
  vout INTEGER NOT NULL,
  addr_id INTEGER NOT NULL,
  heuristic VARCHAR NOT NULL,
  confidence INTEGER NOT NULL,
  reason VARCHAR NOT NULL,
  spenders INTEGER,
  big_id INTEGER
);

INSERT INTO utxo_output_ids (tx_id, vout, addr_id, addr_key, value, script_type)
SELECT x.id, o.vout, a.id, a.key, o.value, o.script_type
FROM utxo_outputs o JOIN tx_ids x ON x.txid = o.txid JOIN address_ids a ON a.address = o.address
ORDER BY x.id, o.vout;

-- Only shapes with a repeated output value or one OP_RETURN can be a CoinJoin of any kind: the rest
-- are checked here, those are checked by the next clustering run.
INSERT INTO utxo_tx_fingerprints
  (chain, tx_id, block_height, version, locktime, rbf, coinjoin, coinjoin_checked, in_type, min_in)
SELECT t.chain, x.id, CASE WHEN t.confirmed THEN t.block_height END, t.version, t.locktime, i.rbf, NULL,
  i.coinbase OR coalesce(i.n, 0) = 0 OR NOT coalesce(o.maybe_coinjoin, false), i.in_type, i.min_in
FROM utxo_txs t
JOIN tx_ids x ON x.txid = t.txid
LEFT JOIN (
  SELECT chain, txid, count(*) AS n, bool_or(is_coinbase) AS coinbase, min(value) AS min_in,
    CASE WHEN count(*) FILTER (WHERE sequence IS NULL) > 0 THEN NULL ELSE bool_or(sequence < 4294967294) END AS rbf,
    CASE WHEN count(DISTINCT coalesce(script_type, chr(0))) = 1 THEN any_value(script_type) END AS in_type
  FROM utxo_inputs GROUP BY chain, txid
) i ON i.chain = t.chain AND i.txid = t.txid
LEFT JOIN (
  SELECT chain, txid,
    count(*) > count(DISTINCT value) OR count(*) FILTER (WHERE script_type = 'op_return') = 1 AS maybe_coinjoin
  FROM utxo_outputs GROUP BY chain, txid
) o ON o.chain = t.chain AND o.txid = t.txid
ORDER BY x.id;
