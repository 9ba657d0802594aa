-- migration: 003_cluster_work
-- Which transactions clustering has seen (and whether they were CoinJoins), change guesses,
-- and the scratch tables that map addresses and transactions to dense integer ids for the union-find.
CREATE TABLE cluster_txs (
  chain VARCHAR NOT NULL,
  txid VARCHAR NOT NULL,
  coinjoin VARCHAR
);

CREATE TABLE change_guesses (
  chain VARCHAR NOT NULL,
  txid VARCHAR NOT NULL,
  vout INTEGER NOT NULL,
  address VARCHAR NOT NULL,
  heuristic VARCHAR NOT NULL,
  confidence INTEGER NOT NULL,
  reason VARCHAR NOT NULL,
  PRIMARY KEY (chain, txid, vout, heuristic)
);

CREATE TABLE cluster_work_tx (
  rank INTEGER NOT NULL,
  txid VARCHAR NOT NULL,
  coinjoin VARCHAR
);

CREATE TABLE cluster_work_addr (
  rank INTEGER NOT NULL,
  address VARCHAR NOT NULL
);

CREATE TABLE cluster_work_root (
  addr_rank INTEGER NOT NULL,
  root_rank INTEGER NOT NULL
);

CREATE TABLE cluster_work_ev (
  tx_rank INTEGER NOT NULL,
  a_rank INTEGER NOT NULL,
  b_rank INTEGER NOT NULL,
  heuristic VARCHAR NOT NULL,
  confidence INTEGER NOT NULL
);
