import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { AccountTransfer } from "../src/domain.ts";
import type { Services } from "../src/services/index.ts";
import { AccountStore } from "../src/store/accounts.ts";
import { AddressStore } from "../src/store/addresses.ts";
import { QUERIES_DIR } from "../src/store/queries.ts";
import { testServices } from "./helpers/services.ts";

// The per-address totals kept by every write are what a scan of every stored transfer gives: batches
// that share transactions, rows written again unchanged or changed (a reorg moves time, a correction
// moves value or a party), self-transfers, failed transfers and contract creations (no recipient).
const open: Services[] = [];
afterAll(() => {
  for (const s of open) s.close();
});

const ADDRS = ["0xa1", "0xa2", "0xa3", "0xa4"].map((a) => a.padEnd(42, "0"));
const ASSETS = [
  { asset: "ETH", symbol: "ETH", decimals: 18 },
  { asset: "0xdac17f958d2ee523a2206206994597c13d831ec7", symbol: "USDT", decimals: 6 },
];

const transfer = fc
  .record({
    tx: fc.integer({ min: 0, max: 7 }),
    kind: fc.constantFrom("native", "internal", "token"),
    seq: fc.integer({ min: 0, max: 2 }),
    from: fc.integer({ min: 0, max: 3 }),
    to: fc.integer({ min: -1, max: 3 }),
    asset: fc.integer({ min: 0, max: 1 }),
    value: fc.bigInt({ min: 0n, max: 2n ** 100n }),
    time: fc.integer({ min: 0, max: 50 }),
    success: fc.boolean(),
  })
  .map(
    (r): AccountTransfer => ({
      chain: "anvil",
      txid: `0x${r.tx.toString(16).padStart(64, "0")}`,
      kind: r.kind as AccountTransfer["kind"],
      seq: r.seq,
      blockNumber: 100 + r.tx,
      blockHash: null,
      blockTime: 1_700_000_000 + r.time,
      txIndex: 0,
      logIndex: null,
      traceAddress: null,
      from: ADDRS[r.from]!,
      to: r.to < 0 ? null : ADDRS[r.to]!,
      ...ASSETS[r.asset]!,
      value: r.value,
      success: r.success,
    }),
  );

const batch = fc.record({ rows: fc.array(transfer, { minLength: 1, maxLength: 12 }), merge: fc.boolean() });
const CLEAR = ["account_transfers", "account_address_assets", "account_address_txs", "account_totals_pending"]
  .map((t) => `DELETE FROM ${t};`)
  .join(" ");

/** What every address's figures are, counted from the stored transfers (the scan the totals replace). */
async function scanned(s: Services) {
  const assets = await s.store.sql(`
    SELECT a.address, t.asset, count(DISTINCT t.txid)::BIGINT AS tx_count,
      coalesce(sum(t.value) FILTER (WHERE t.to_address = a.address AND t.success), 0)::HUGEINT AS received,
      coalesce(sum(t.value) FILTER (WHERE t.from_address = a.address AND t.success), 0)::HUGEINT AS sent,
      min(t.block_time) AS first_seen, max(t.block_time) AS last_seen
    FROM account_transfers t JOIN (SELECT unnest(${list(ADDRS)}) AS address) a
      ON t.from_address = a.address OR t.to_address = a.address
    GROUP BY a.address, t.asset ORDER BY a.address, t.asset`);
  const txs = await s.store.sql(`
    SELECT a.address, count(DISTINCT t.txid)::BIGINT AS tx_count
    FROM account_transfers t JOIN (SELECT unnest(${list(ADDRS)}) AS address) a
      ON t.from_address = a.address OR t.to_address = a.address
    GROUP BY a.address ORDER BY a.address`);
  return { assets, txs };
}

/** What the store answers for every address: merged totals plus pending additions. */
async function kept(s: Services) {
  const db = new AddressStore(s.store);
  const assets: Record<string, unknown>[] = [];
  const txs: Record<string, unknown>[] = [];
  for (const address of ADDRS) {
    const { assets: rows, txCount: n } = await db.accountStats("anvil", address);
    for (const r of rows)
      assets.push({
        address,
        asset: r.asset,
        tx_count: BigInt(r.txCount),
        received: r.received,
        sent: r.sent,
        first_seen: r.firstSeen === null ? null : BigInt(r.firstSeen),
        last_seen: r.lastSeen === null ? null : BigInt(r.lastSeen),
      });
    if (n > 0) txs.push({ address, tx_count: BigInt(n) });
  }
  return { assets, txs };
}

function list(xs: string[]): string {
  return `[${xs.map((x) => `'${x}'`).join(", ")}]`;
}

describe("per-address totals of account transfers", () => {
  it("equal a scan of the stored transfers after any sequence of batches", { tags: ["slow"] }, async () => {
    const s = await testServices("totals");
    open.push(s);
    const a = new AccountStore(s.store);
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { maxLength: 6 }), async (batches) => {
        await s.store.sql(CLEAR);
        for (const b of batches) {
          await a.writeTransfers(b.rows);
          // pending additions folded in at any point give the same figures
          if (b.merge) await a.mergeTotals();
        }
        const want = await scanned(s);
        expect(await kept(s)).toEqual(want);
        runs++;
      }),
      { numRuns: 60, seed: 2026 },
    );
    expect(runs).toBe(60);
    // nothing left in the write's work tables
    expect(
      await s.store.sql(
        "SELECT (SELECT count(*) FROM account_transfers_seen)::INTEGER AS seen, (SELECT count(*) FROM account_totals_dirty)::INTEGER AS dirty",
      ),
    ).toEqual([{ seen: 0, dirty: 0 }]);
  });

  it("count a transaction once per address when its transfers arrive in separate batches", async () => {
    const s = await testServices("split");
    open.push(s);
    const a = new AccountStore(s.store);
    const [x, y] = [ADDRS[0]!, ADDRS[1]!];
    const base = fc.sample(transfer, { numRuns: 1, seed: 1 })[0]!;
    const t = (kind: AccountTransfer["kind"], value: bigint, asset = ASSETS[0]!): AccountTransfer => ({
      ...base,
      txid: `0x${"7".repeat(64)}`,
      kind,
      seq: 0,
      from: x,
      to: y,
      ...asset,
      value,
      success: true,
      blockTime: 1_700_000_100,
    });
    // the transaction's value transfer, then its internal call in another page, then its token log
    await a.writeTransfers([t("native", 5n)]);
    await a.writeTransfers([t("internal", 7n)]);
    await a.writeTransfers([t("token", 11n, ASSETS[1]!)]);
    const info = await s.addresses.info("anvil", y);
    expect(info.stats.txCount).toBe(1);
    expect(info.assets).toEqual([
      expect.objectContaining({ asset: ASSETS[1]!.asset, txCount: 1, received: "11", sent: "0" }),
      expect.objectContaining({ asset: "ETH", txCount: 1, received: "12", sent: "0" }),
    ]);
    // a reorg moves the transaction to a later block: first and last seen follow
    await a.writeTransfers([{ ...t("native", 5n), blockTime: 1_700_000_200 }]);
    const moved = await s.addresses.info("anvil", x);
    expect(moved.assets?.find((r) => r.asset === "ETH")).toMatchObject({
      txCount: 1,
      sent: "12",
      firstSeen: new Date(1_700_000_100_000).toISOString(),
      lastSeen: new Date(1_700_000_200_000).toISOString(),
    });
  });

  it("are filled from the stored transfers when an older file is migrated (migration 012)", async () => {
    const s = await testServices("migrated-totals");
    open.push(s);
    const rows = fc.sample(fc.array(transfer, { minLength: 40, maxLength: 40 }), {
      numRuns: 1,
      seed: 12,
    })[0]!;
    await new AccountStore(s.store).writeTransfers(rows);
    const written = await kept(s);
    expect(written.assets.length).toBeGreaterThan(3);
    expect(written).toEqual(await scanned(s));
    await s.store.sql(CLEAR.replace("DELETE FROM account_transfers;", ""));
    const migration = readFileSync(`${QUERIES_DIR}migrations/012_address_totals.sql`, "utf8");
    await s.store.sql(migration.slice(migration.indexOf("INSERT INTO account_address_assets")));
    expect(await kept(s)).toEqual(written);
  });
});
