-- migration: 005_cluster_ids
-- Integer ids for clustering: addresses and txids are interned once, at ingest; clustering then moves
-- only integers. Membership and evidence are stored as ids; views give them back as strings.
CREATE SEQUENCE address_id_seq START 1;
CREATE SEQUENCE tx_id_seq START 1;

-- `key` orders a cluster's members: a Bitcoin cluster's id is its smallest member key.
CREATE TABLE address_ids (
  address VARCHAR PRIMARY KEY,
  id INTEGER NOT NULL,
  key BIGINT NOT NULL
);

CREATE TABLE tx_ids (
  txid VARCHAR PRIMARY KEY,
  id INTEGER NOT NULL
);

-- What clustering needs of each stored UTXO transaction and input, as ids (written with the tx).
CREATE TABLE utxo_tx_index (
  chain VARCHAR NOT NULL,
  tx_id INTEGER NOT NULL,
  confirmed BOOLEAN NOT NULL,
  coinbase BOOLEAN NOT NULL,
  input_count INTEGER NOT NULL,
  output_count INTEGER NOT NULL
);

-- addr_key repeats address_ids.key: clustering reads it with the inputs instead of joining 10M+ rows.
CREATE TABLE utxo_input_ids (
  tx_id INTEGER NOT NULL,
  vin INTEGER NOT NULL,
  addr_id INTEGER NOT NULL,
  addr_key BIGINT NOT NULL
);

INSERT INTO address_ids (address, id, key)
SELECT address, nextval('address_id_seq'), ('0x' || left(md5(address), 15))::BIGINT
FROM (
  SELECT address FROM utxo_inputs WHERE address IS NOT NULL
  UNION SELECT address FROM utxo_outputs WHERE address IS NOT NULL
  UNION SELECT address FROM cluster_members
  UNION SELECT address_a FROM cluster_evidence
  UNION SELECT address_b FROM cluster_evidence
  ORDER BY address
);

INSERT INTO tx_ids (txid, id)
SELECT txid, nextval('tx_id_seq')
FROM (SELECT txid FROM utxo_txs UNION SELECT txid FROM cluster_evidence UNION SELECT txid FROM cluster_txs ORDER BY txid);

INSERT INTO utxo_tx_index (chain, tx_id, confirmed, coinbase, input_count, output_count)
SELECT t.chain, x.id, t.confirmed,
  EXISTS (SELECT 1 FROM utxo_inputs i WHERE i.chain = t.chain AND i.txid = t.txid AND i.is_coinbase),
  t.input_count, t.output_count
FROM utxo_txs t JOIN tx_ids x ON x.txid = t.txid
ORDER BY x.id;

INSERT INTO utxo_input_ids (tx_id, vin, addr_id, addr_key)
SELECT x.id, i.vin, a.id, a.key
FROM utxo_inputs i JOIN tx_ids x ON x.txid = i.txid JOIN address_ids a ON a.address = i.address
ORDER BY x.id, i.vin;

CREATE TABLE cluster_member_ids (
  chain VARCHAR NOT NULL,
  addr_id INTEGER NOT NULL,
  cluster_id BIGINT NOT NULL
);

-- Evidence is a fact about a transaction and two addresses; it belongs to the cluster of address a,
-- so merging clusters never rewrites it. Multi-input merges, the bulk, are three ids each (their chain
-- is the tx's, their confidence 100); every other merge (change, EVM deposit) is a full row.
CREATE TABLE cluster_input_merges (
  tx_id INTEGER NOT NULL,
  a_id INTEGER NOT NULL,
  b_id INTEGER NOT NULL
);

CREATE TABLE cluster_evidence_ids (
  chain VARCHAR NOT NULL,
  tx_id INTEGER NOT NULL,
  heuristic VARCHAR NOT NULL,
  a_id INTEGER NOT NULL,
  b_id INTEGER NOT NULL,
  confidence INTEGER NOT NULL
);

CREATE TABLE cluster_tx_ids (
  chain VARCHAR NOT NULL,
  tx_id INTEGER NOT NULL,
  coinjoin VARCHAR
);

-- Bitcoin clusters take their new id (smallest member key); EVM clusters keep theirs.
INSERT INTO cluster_member_ids (chain, addr_id, cluster_id)
SELECT m.chain, a.id,
  CASE WHEN m.chain = 'bitcoin' THEN min(a.key) OVER (PARTITION BY m.chain, m.cluster_id) ELSE m.cluster_id END
FROM cluster_members m JOIN address_ids a ON a.address = m.address;

INSERT INTO cluster_input_merges (tx_id, a_id, b_id)
SELECT t.id, a.id, b.id
FROM cluster_evidence e
JOIN tx_ids t ON t.txid = e.txid
JOIN address_ids a ON a.address = e.address_a
JOIN address_ids b ON b.address = e.address_b
WHERE e.heuristic = 'multi-input';

INSERT INTO cluster_evidence_ids (chain, tx_id, heuristic, a_id, b_id, confidence)
SELECT e.chain, t.id, e.heuristic, a.id, b.id, e.confidence
FROM cluster_evidence e
JOIN tx_ids t ON t.txid = e.txid
JOIN address_ids a ON a.address = e.address_a
JOIN address_ids b ON b.address = e.address_b
WHERE e.heuristic <> 'multi-input';

INSERT INTO cluster_tx_ids (chain, tx_id, coinjoin)
SELECT c.chain, t.id, c.coinjoin FROM cluster_txs c JOIN tx_ids t ON t.txid = c.txid;

INSERT INTO clusters (chain, cluster_id, size, is_service)
SELECT c.chain, n.new_id, c.size, c.is_service
FROM clusters c JOIN (
  SELECT DISTINCT m.cluster_id AS old_id, min(a.key) OVER (PARTITION BY m.cluster_id) AS new_id
  FROM cluster_members m JOIN address_ids a ON a.address = m.address WHERE m.chain = 'bitcoin'
) n ON c.chain = 'bitcoin' AND c.cluster_id = n.old_id;
DELETE FROM clusters WHERE chain = 'bitcoin'
  AND cluster_id NOT IN (SELECT cluster_id FROM cluster_member_ids WHERE chain = 'bitcoin');

DROP TABLE cluster_members;
DROP TABLE cluster_evidence;
DROP TABLE cluster_txs;
DROP TABLE cluster_work_tx;
DROP TABLE cluster_work_addr;
DROP TABLE cluster_work_root;
DROP TABLE cluster_work_ev;

CREATE VIEW cluster_members AS
SELECT m.chain, a.address, m.cluster_id FROM cluster_member_ids m JOIN address_ids a ON a.id = m.addr_id;

CREATE VIEW cluster_evidence AS
WITH e AS (
  SELECT x.chain, e.tx_id, 'multi-input' AS heuristic, e.a_id, e.b_id, 100 AS confidence
  FROM cluster_input_merges e JOIN utxo_tx_index x ON x.tx_id = e.tx_id
  UNION ALL
  SELECT chain, tx_id, heuristic, a_id, b_id, confidence FROM cluster_evidence_ids
)
SELECT e.chain, m.cluster_id, t.txid, e.heuristic, a.address AS address_a, b.address AS address_b, e.confidence
FROM e
JOIN cluster_member_ids m ON m.chain = e.chain AND m.addr_id = e.a_id
JOIN tx_ids t ON t.id = e.tx_id
JOIN address_ids a ON a.id = e.a_id
JOIN address_ids b ON b.id = e.b_id;

-- Scratch tables of one clustering run (and of the SQL alternative in the cluster bench).
CREATE TABLE cluster_work_tx (
  tx_id INTEGER NOT NULL,
  coinjoin VARCHAR
);

CREATE TABLE cluster_work_member (
  addr_id INTEGER NOT NULL,
  cluster_id BIGINT NOT NULL
);

CREATE TABLE cluster_work_edge (
  a_id INTEGER NOT NULL,
  b_id INTEGER NOT NULL
);
