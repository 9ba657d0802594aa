-- name: deposit.matches
-- params: $chain VARCHAR, $space VARCHAR[], $max_fee HUGEINT, $window BIGINT
-- Deposit-address heuristic (Victor 2020). A forward is a transfer from an address D to another
-- exchange address (label category 'exchange' anywhere in the EVM address space). Its episode is every
-- receipt of the same asset into D after D's previous outflow of that asset and before the forward.
-- The forward matches when its value equals the episode's sum (tokens) or lies in [sum - max_fee, sum]
-- (native: gas is paid from what came in), and the episode's first receipt is at most $window blocks
-- before the forward. D is dropped when it sends to any non-exchange address within $window blocks
-- after a matched receipt: forwarding must be its only behaviour.
-- D may itself carry an exchange label (issue 17 point 9): an exchange's deposit address is often
-- labelled as the exchange's. Such a D counts only when it forwards all it receives to another exchange
-- address: every outflow of D is a matched forward (none to anyone else, ever), and every receipt of an
-- asset D forwards lies in a matched episode (nothing is kept). A hot wallet that once moved exactly
-- what it had to cold storage keeps later deposits or pays withdrawals, so it never qualifies.
-- One row per matched receipt. `customer` is false for receipts from an exchange address (a withdrawal
-- or a gas top-up) or the zero address (a mint; EVM 0x00…, Tron T9yD14…): they count in the sum but
-- their sender is no customer.
-- Sums are BIGNUM because sum(HUGEINT) wraps around silently.
WITH ex AS (
  -- EVM hex compares lower-case; Tron base58 is case-sensitive and compares as stored
  SELECT DISTINCT CASE WHEN address LIKE '0x%' THEN lower(address) ELSE address END AS address FROM labels
  WHERE category = 'exchange' AND list_contains($space, chain)
), t AS (
  -- same-asset order inside a tx: top-level value before internal calls (trace order), logs by index
  SELECT txid, block_number AS blk, from_address AS src, to_address AS dst, asset, kind = 'token' AS is_token,
    value, row_number() OVER (
      ORDER BY block_number, coalesce(tx_index, 0), CASE kind WHEN 'native' THEN 0 WHEN 'internal' THEN 1 ELSE 2 END, seq
    ) AS ord
  FROM account_transfers
  WHERE chain = $chain AND success AND kind IN ('native', 'internal', 'token') AND value > 0
    AND from_address IS NOT NULL AND to_address IS NOT NULL AND from_address <> to_address
), outs AS (
  SELECT t.*, t.dst IN (SELECT address FROM ex) AS to_ex, t.src IN (SELECT address FROM ex) AS from_ex,
    lag(t.ord) OVER (PARTITION BY t.src, t.asset ORDER BY t.ord) AS prev_ord
  FROM t
), ep AS (
  SELECT f.src AS deposit, f.from_ex, f.asset, f.dst AS exchange, f.txid AS forward_txid, f.ord AS fwd_ord,
    f.blk AS fwd_blk, f.value AS fwd_value, f.is_token, r.txid AS receipt_txid, r.src AS sender,
    r.blk AS rcpt_blk, r.ord AS rcpt_ord, r.value AS rcpt_value
  FROM outs f
  JOIN t r ON r.dst = f.src AND r.asset = f.asset AND r.ord < f.ord AND r.ord > coalesce(f.prev_ord, 0)
  WHERE f.to_ex
), matched AS (
  SELECT deposit, fwd_ord FROM ep
  GROUP BY deposit, fwd_ord, fwd_blk, fwd_value, is_token
  HAVING min(rcpt_blk) >= fwd_blk - $window
    AND CASE WHEN is_token THEN sum(rcpt_value::BIGNUM) = fwd_value::BIGNUM
      ELSE fwd_value::BIGNUM <= sum(rcpt_value::BIGNUM)
        AND fwd_value::BIGNUM >= sum(rcpt_value::BIGNUM) - CAST($max_fee AS HUGEINT)::BIGNUM END
), hits AS (
  SELECT ep.* FROM ep SEMI JOIN matched m ON m.deposit = ep.deposit AND m.fwd_ord = ep.fwd_ord
), stray AS (
  SELECT DISTINCT h.deposit FROM hits h
  JOIN outs o ON o.src = h.deposit AND NOT o.to_ex AND o.blk BETWEEN h.rcpt_blk AND h.rcpt_blk + $window
), unswept AS (
  -- exchange-labelled D: an outflow that is no matched forward, or a receipt no matched forward swept
  SELECT o.src AS deposit FROM outs o ANTI JOIN matched m ON m.deposit = o.src AND m.fwd_ord = o.ord
  WHERE o.from_ex AND o.src IN (SELECT deposit FROM hits WHERE from_ex)
  UNION
  SELECT r.dst FROM t r
  SEMI JOIN (SELECT DISTINCT deposit, asset FROM hits WHERE from_ex) a ON a.deposit = r.dst AND a.asset = r.asset
  ANTI JOIN hits h ON h.rcpt_ord = r.ord
)
SELECT deposit, exchange, forward_txid, fwd_blk AS forward_block, sender, receipt_txid, rcpt_blk AS receipt_block,
  sender NOT IN (SELECT address FROM ex)
    AND sender NOT IN ('0x0000000000000000000000000000000000000000', 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb') AS customer
FROM hits
WHERE deposit NOT IN (SELECT deposit FROM stray) AND deposit NOT IN (SELECT deposit FROM unswept)
ORDER BY deposit, rcpt_ord, fwd_ord;
