-- name: bench.trace_gen_transfers
-- params: $n BIGINT, $seed BIGINT
-- Synthetic account-model transfer graph for the trace bench, on chain "ethereum" (no user input reaches this).
-- Row i is one native transfer in block 19000000 + i // 150 (blocks increase with i); i % 100 picks its pattern:
--   0-9 peel chains (17 addresses, each receives then sends ~93% onward and peels ~5% off to the pool),
--   10-14 CoinJoin-like rounds (40 fixed-denomination inputs into a mixer, 40 outputs to fresh addresses),
--   15-29 exchange deposits (user -> its own deposit address -> exchange hub),
--   30-39 exchange withdrawals (hub -> user), 40-99 user -> user / exchange (heavy-tailed: ids ~ P * u^2.5).
-- Address = '0x' || 2 hex digits of kind (1 hub, 2 user, 3 peel, 4 mixer, 5 CoinJoin output, 6 deposit) || 38 of id.
INSERT INTO account_transfers (chain, txid, kind, seq, block_number, block_hash, block_time, tx_index, log_index,
                               trace_address, from_address, to_address, asset, symbol, decimals, value, success)
WITH base AS (
  SELECT i, i % 100 AS slot, i // 100 AS grp,
         ($n::BIGINT * 3 // 20 + 1000)::BIGINT AS pool,
         ((hash(i, $seed::BIGINT, 1) % 1000000007) + 1) / 1000000007.0 AS u1,
         ((hash(i, $seed::BIGINT, 2) % 1000000007) + 1) / 1000000007.0 AS u2,
         ((hash(i, $seed::BIGINT, 3) % 1000000007) + 1) / 1000000007.0 AS u3,
         hash(i, $seed::BIGINT, 4) AS h4
  FROM range($n::BIGINT) t(i)
), q AS (
  SELECT *,
         CASE WHEN slot < 10 THEN grp * 10 + slot
              WHEN slot < 15 THEN grp * 5 + slot - 10
              WHEN slot < 30 THEN grp * 15 + slot - 15
              ELSE 0 END AS o,
         floor(pool * pow(u1, 2.5))::BIGINT AS zf,
         floor(pool * pow(u2, 2.5))::BIGINT AS zt,
         greatest(((grp * 5) // 80 - 1) * 40, 0)::BIGINT AS cj_done
  FROM base
), e AS (
  SELECT i,
    CASE
      WHEN slot < 10 THEN (CASE WHEN o % 32 = 0 THEN 1 ELSE 3 END)
      WHEN slot < 15 THEN (CASE WHEN o % 80 < 40 THEN 2 ELSE 4 END)
      WHEN slot < 30 THEN (CASE WHEN o % 2 = 0 THEN 2 ELSE 6 END)
      WHEN slot < 40 THEN 1
      WHEN u3 < 0.1 AND cj_done > 0 THEN 5
      ELSE 2 END AS fk,
    CASE
      WHEN slot < 10 THEN (CASE WHEN o % 32 = 0 THEN h4 % 16 ELSE (o // 32) * 17 + (o % 32) // 2 END)
      WHEN slot < 15 THEN (CASE WHEN o % 80 < 40 THEN zf ELSE o // 80 END)
      WHEN slot < 30 THEN floor(pool * pow(((hash(o // 2, $seed::BIGINT, 7) % 1000000007) + 1) / 1000000007.0, 2.5))::BIGINT
      WHEN slot < 40 THEN h4 % 16
      WHEN u3 < 0.1 AND cj_done > 0 THEN h4 % cj_done
      ELSE zf END AS fid,
    CASE
      WHEN slot < 10 THEN (CASE WHEN o % 2 = 0 AND o % 32 <> 0 THEN 2 ELSE 3 END)
      WHEN slot < 15 THEN (CASE WHEN o % 80 < 40 THEN 4 ELSE 5 END)
      WHEN slot < 30 THEN (CASE WHEN o % 2 = 0 THEN 6 ELSE 1 END)
      WHEN slot < 40 THEN 2
      WHEN u3 > 0.9 THEN 1
      ELSE 2 END AS tk,
    CASE
      WHEN slot < 10 THEN (CASE WHEN o % 2 = 0 AND o % 32 <> 0 THEN zt
                                WHEN o % 32 = 0 THEN (o // 32) * 17
                                ELSE (o // 32) * 17 + (o % 32) // 2 + 1 END)
      WHEN slot < 15 THEN (CASE WHEN o % 80 < 40 THEN o // 80 ELSE (o // 80) * 40 + o % 80 - 40 END)
      WHEN slot < 30 THEN (CASE WHEN o % 2 = 0
                                THEN floor(pool * pow(((hash(o // 2, $seed::BIGINT, 7) % 1000000007) + 1) / 1000000007.0, 2.5))::BIGINT
                                ELSE floor(pool * pow(((hash(o // 2, $seed::BIGINT, 7) % 1000000007) + 1) / 1000000007.0, 2.5))::BIGINT % 16 END)
      WHEN slot < 40 THEN zt
      WHEN u3 > 0.9 THEN h4 % 16
      ELSE zt END AS tid,
    CASE
      WHEN slot < 10 THEN (CASE WHEN o % 32 = 0 THEN 10000000000000000000::HUGEINT
                                WHEN o % 2 = 0 THEN floor(1e19 * 0.05 * pow(0.93, (o % 32) // 2))::HUGEINT
                                ELSE floor(1e19 * 0.93 * pow(0.93, (o % 32) // 2))::HUGEINT END)
      WHEN slot < 15 THEN (CASE WHEN o % 80 < 40 THEN 100000000000000000::HUGEINT ELSE 99000000000000000::HUGEINT END)
      WHEN slot < 30 THEN floor(1e18 * pow(((hash(o // 2, $seed::BIGINT, 8) % 1000000007) + 1) / 1000000007.0, 2))::HUGEINT
                          - (o % 2) * 21000000000000
      ELSE floor(1e19 * pow(u2, 3))::HUGEINT + 1 END AS value
  FROM q
)
SELECT 'ethereum', printf('0x%048x%016x', i, hash(i, $seed::BIGINT)), 'native', 0,
       19000000 + i // 150, NULL, 1700000000 + (i // 150) * 12, (i % 150)::INTEGER, NULL, NULL,
       printf('0x%02x%038x', fk, fid), printf('0x%02x%038x', tk, tid),
       'ETH', 'ETH', 18, greatest(value, 1), true
FROM e;
