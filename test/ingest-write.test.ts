import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { storedFingerprint } from "../src/core/change.ts";
import type { AccountTransfer, SpentBy, UtxoTx } from "../src/domain.ts";
import type { Services } from "../src/services/index.ts";
import { AccountStore } from "../src/store/accounts.ts";
import { QUERIES_DIR } from "../src/store/queries.ts";
import { UtxoStore } from "../src/store/utxo.ts";
import { randomActivity } from "./helpers/activity.ts";
import { utxoIdTables, utxoTables } from "./helpers/btc.ts";
import { testServices } from "./helpers/services.ts";

const open: Services[] = [];
afterAll(() => {
  for (const s of open) s.close();
});
async function services(name: string): Promise<Services> {
  const s = await testServices(name);
  open.push(s);
  return s;
}

const { chain, txs } = randomActivity(7, { txs: 60 });
const outspends = (t: UtxoTx): (SpentBy | null)[] =>
  (chain.outspends(t.txid) ?? []).map((o) => (o.spent ? { txid: o.txid!, vin: o.vin! } : null));
const unconfirmed = (t: UtxoTx): UtxoTx => ({ ...t, block: null });
const json = (rows: unknown[]) =>
  rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).sort();

describe("UTXO batch writes", () => {
  it("store the same tables, ids and fingerprints whatever the batches, their order and rewrites", {
    tags: ["slow"],
  }, async () => {
    const one = await services("one-batch");
    await new UtxoStore(one.store).writeTxs(txs, txs.map(outspends));
    const want = await utxoTables(one);
    const wantIds = await utxoIdTables(one);
    // every fingerprint is the one computed from the tx itself
    const fps = await one.store.sql(
      "SELECT x.txid, f.rbf, f.coinjoin, f.in_type, f.min_in FROM utxo_tx_fingerprints f JOIN tx_ids x ON x.id = f.tx_id",
    );
    expect(fps).toHaveLength(txs.length);
    for (const r of fps) {
      const fp = storedFingerprint(txs.find((t) => t.txid === r.txid)!);
      expect(r).toEqual({
        txid: r.txid,
        rbf: fp.rbf,
        coinjoin: fp.coinjoin,
        in_type: fp.inType,
        min_in: fp.minIn,
      });
    }
    expect(fps.some((r) => r.coinjoin !== null)).toBe(true);
    // ids are dense and keys follow the address
    const dense = await one.store.sql(
      `SELECT (SELECT count(*) = max(id) AND min(id) = 1 FROM address_ids) AS a, (SELECT count(*) = max(id) FROM tx_ids) AS t,
        (SELECT bool_and(key = ('0x' || left(md5(address), 15))::BIGINT) FROM address_ids) AS k`,
    );
    expect(dense).toEqual([{ a: true, t: true, k: true }]);

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: txs.length, maxLength: txs.length }),
        fc.array(fc.boolean(), { minLength: txs.length, maxLength: txs.length }),
        fc.integer(),
        async (batchOf, firstUnconfirmed, seed) => {
          const s = await testServices("batches");
          try {
            const u = new UtxoStore(s.store);
            const order = [...txs].sort((x, y) => (hash(x.txid, seed) - hash(y.txid, seed)) | 0);
            // some txs are first seen unconfirmed (a rewrite later), one batch holds a tx twice
            const early = order.filter((t, i) => firstUnconfirmed[i] && t.block !== null);
            await u.writeTxs(
              early.map(unconfirmed),
              early.map(() => null),
            );
            for (let b = 0; b <= 3; b++) {
              const batch = order.filter((_, i) => batchOf[i] === b);
              const twice = batch.length > 0 ? [unconfirmed(batch[0]!), ...batch] : batch;
              await u.writeTxs(twice, twice.map(outspends));
            }
            // written again without asking for spends: the stored spends stay
            const again = order.filter((_, i) => !firstUnconfirmed[i]);
            await u.writeTxs(
              again,
              again.map(() => null),
            );
            expect(await utxoTables(s)).toEqual(want);
            expect(await utxoIdTables(s)).toEqual(wantIds);
          } finally {
            s.close();
          }
        },
      ),
      { numRuns: 5 },
    );
  });

  it("derive for an older file the same output ids and fingerprints as ingest writes (migration 009)", async () => {
    const s = await services("migrated");
    await new UtxoStore(s.store).writeTxs(txs, txs.map(outspends));
    const written = await utxoIdTables(s);
    await s.store.sql("DELETE FROM utxo_output_ids; DELETE FROM utxo_tx_fingerprints;");
    const migration = readFileSync(`${QUERIES_DIR}migrations/009_ingest_stage_change_ids.sql`, "utf8");
    const backfill = migration.slice(migration.indexOf("INSERT INTO utxo_output_ids"));
    await s.store.sql(backfill);
    const migrated = await utxoIdTables(s);
    expect(migrated.outputs).toEqual(written.outputs);
    // only the CoinJoin shapes are left for the next clustering run to check
    const unchecked = migrated.fingerprints.filter((r) => r.includes('"unchecked"'));
    const kinds = written.fingerprints.filter((r) => !r.includes('"coinjoin":null'));
    expect(kinds.length).toBeGreaterThan(0);
    expect(unchecked.length).toBeGreaterThanOrEqual(kinds.length);
    const withoutKind = (rows: string[]) =>
      rows.map((r) => r.replace(/"coinjoin":("[^"]*"|null)/, "")).sort();
    expect(withoutKind(migrated.fingerprints)).toEqual(withoutKind(written.fingerprints));
    for (const r of kinds)
      expect(unchecked).toContain(r.replace(/"coinjoin":"[^"]*"/, '"coinjoin":"unchecked"'));
  });
});

describe("account transfer batch writes", () => {
  const row = (i: number, value: bigint): AccountTransfer => ({
    chain: "anvil",
    txid: `0x${i.toString(16).padStart(64, "0")}`,
    kind: i % 3 === 0 ? "token" : "native",
    seq: i % 2,
    blockNumber: 100 + i,
    blockHash: `0x${(100 + i).toString(16).padStart(64, "0")}`,
    blockTime: 1_700_000_000 + i,
    txIndex: i % 7,
    logIndex: i % 3 === 0 ? i : null,
    traceAddress: null,
    from: `0x${"a".repeat(40)}`,
    to: i % 5 === 0 ? null : `0x${(i % 4).toString(16).padStart(40, "0")}`,
    asset: i % 3 === 0 ? "0xdac17f958d2ee523a2206206994597c13d831ec7" : "ETH",
    symbol: i % 3 === 0 ? "USDT" : "ETH",
    decimals: i % 3 === 0 ? 6 : 18,
    value,
    success: i % 11 !== 0,
  });
  const table = (s: Services) =>
    s.store
      .sql(
        // the trace index's ids are not the writer's
        "SELECT * EXCLUDE (tid, from_id, to_id) FROM account_transfers ORDER BY block_number, tx_index, kind, seq",
      )
      .then(json);

  it("are idempotent: a transfer seen again replaces its row, the last of a batch wins", async () => {
    const s = await services("accounts");
    const a = new AccountStore(s.store);
    const rows = Array.from({ length: 50 }, (_, i) => row(i, 10n ** 24n + BigInt(i)));
    await a.writeTransfers(rows);
    await a.writeTransfers(rows);
    expect(await table(s)).toEqual(json(rows.map(asRow)));
    // a later batch changes one row and holds another twice: the last version is kept
    await a.writeTransfers([row(3, 5n), row(4, 6n), row(4, 7n), row(60, 8n)]);
    const want = [...rows.filter((_, i) => i !== 3 && i !== 4), row(3, 5n), row(4, 7n), row(60, 8n)];
    expect(await table(s)).toEqual(json(want.map(asRow)));
    expect(await s.store.sql("SELECT count(*)::INTEGER AS n FROM account_transfers_stage")).toEqual([
      { n: 0 },
    ]);
  });
});

function asRow(r: AccountTransfer) {
  return {
    chain: r.chain,
    txid: r.txid,
    kind: r.kind,
    seq: r.seq,
    block_number: BigInt(r.blockNumber),
    block_hash: r.blockHash,
    block_time: r.blockTime === null ? null : BigInt(r.blockTime),
    tx_index: r.txIndex,
    log_index: r.logIndex,
    trace_address: r.traceAddress,
    from_address: r.from,
    to_address: r.to,
    asset: r.asset,
    symbol: r.symbol,
    decimals: r.decimals,
    value: r.value,
    success: r.success,
  };
}

function hash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 2654435761);
  return h;
}
