/**
 * The resident store-backed graph gives the same answers as a graph built from the same rows, before
 * and after more rows are written (the trace index picks them up: earlier in chain order, other
 * assets, values of 64 bits and more), with names read back from the store.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trace } from "../src/core/trace.ts";
import { graphFromRows } from "../src/core/trace-graph.ts";
import type { AccountTransfer } from "../src/domain.ts";
import type { Services } from "../src/services/index.ts";
import { type TraceRequest, TraceService } from "../src/services/trace.ts";
import { TraceStore } from "../src/store/trace.ts";
import { testServices } from "./helpers/services.ts";
import { Eth, L } from "./helpers/trace-rows.ts";

const hex = (name: string) => `0x${createHash("sha256").update(name).digest("hex").slice(0, 40)}`;
const BIG_TOKEN = "0x00000000000000000000000000000000000000bb";

let s: Services;
beforeAll(async () => {
  s = await testServices("graphs");
});
afterAll(() => s?.close());

async function write(rows: AccountTransfer[]): Promise<void> {
  for (const r of rows)
    await s.store.sql(
      `INSERT INTO account_transfers (chain, txid, kind, seq, block_number, block_hash, block_time, tx_index,
         log_index, trace_address, from_address, to_address, asset, symbol, decimals, value, success)
       VALUES ($chain, $txid, $kind, $seq, $block, NULL, NULL, $txIndex, NULL, NULL, $from, $to, $asset, $symbol,
         $decimals, $value::HUGEINT, $success)`,
      {
        chain: r.chain,
        txid: r.txid,
        kind: r.kind,
        seq: r.seq,
        block: BigInt(r.blockNumber),
        txIndex: r.txIndex,
        from: r.from,
        to: r.to,
        asset: r.asset,
        symbol: r.symbol,
        decimals: r.decimals,
        value: r.value.toString(),
        success: r.success,
      },
    );
}

/** An account history on real-looking addresses: moves between 6 addresses, tokens, fees, a huge token. */
function history(
  moves: { from: number; to: number; value: number; token: number; fee: number; ok: boolean }[],
) {
  const e = new Eth();
  const a = (i: number) => hex(`acct${i}`);
  e.tx("fund", [
    { from: hex("src"), to: a(0), value: 1000n },
    { from: hex("src"), to: a(0), value: 3n * 2n ** 64n, asset: BIG_TOKEN, decimals: 18 },
  ]);
  moves.forEach((m, n) => {
    const asset = m.token === 2 ? BIG_TOKEN : "ETH";
    const value = m.token === 2 ? BigInt(m.value) * 2n ** 62n : BigInt(m.value);
    e.tx(
      `m${n}`,
      [{ from: a(m.from), to: a(m.to), value, asset, success: m.ok, decimals: 18 }],
      BigInt(m.fee),
      n % 3 === 1,
    );
  });
  return e.rows.map((r) => ({ ...r, chain: "ethereum", decimals: r.asset === BIG_TOKEN ? 18 : r.decimals }));
}

const movesArb = fc.array(
  fc.record({
    from: fc.integer({ min: 0, max: 5 }),
    to: fc.integer({ min: 0, max: 5 }),
    value: fc.integer({ min: 1, max: 300 }),
    token: fc.integer({ min: 0, max: 2 }),
    fee: fc.integer({ min: 0, max: 3 }),
    ok: fc.boolean(),
  }),
  { minLength: 4, maxLength: 30 },
);

describe("resident store-backed trace graph", () => {
  it("answers as a graph of the same rows, before and after more rows are ingested", {
    tags: ["slow"],
    timeout: 300_000,
  }, async () => {
    await s.labels.importBytes(
      Buffer.from(
        `chain,address,label,category,source,confidence,program,reference,cluster_defining\nethereum,${hex("acct3")},Ex,exchange,test,50,,,false\nethereum,${hex("acct4")},Bad,scam,test,50,,,false\n`,
      ),
      "l.csv",
      "csv",
    );
    const labels = new Map([
      [hex("acct3"), L("exchange", "Ex")],
      [hex("acct4"), L("scam", "Bad")],
    ]);
    await fc.assert(
      fc.asyncProperty(
        movesArb,
        fc.integer({ min: 0, max: 100 }),
        fc.constantFrom("poison", "haircut", "fifo"),
        fc.constantFrom("forward", "backward"),
        fc.boolean(),
        fc.boolean(),
        async (moves, cutAt, model, direction, stops, reversed) => {
          const rows = history(moves);
          await s.store.sql("DELETE FROM account_transfers");
          // a service of its own: the first trace loads the graph, the second refreshes it
          const traces = new TraceService(s.store, s.labels, s.ingest, s.source);
          // rows as stored first (then sorted by the store when they are out of order)
          traces.graphOf("ethereum").storedOrderFrom = 0;
          // the first batch is a random subset: later rows may land earlier in chain order
          const cut = Math.floor((rows.length * cutAt) / 100);
          const first = rows.filter((_, i) => (i * 7919) % rows.length < cut);
          const rest = rows.filter((_, i) => (i * 7919) % rows.length >= cut);
          const req: TraceRequest = {
            chain: "ethereum",
            addresses: [hex("acct0")],
            model,
            direction,
            maxHops: 6,
            fetch: false,
            maxAddresses: 1000,
            ...(stops ? {} : { stopAt: [] }),
          };
          for (const batch of [first, rest]) {
            await write(reversed ? [...batch].reverse() : batch);
            const all = batch === first ? first : rows;
            if (all.length === 0) continue;
            const got = await traces.trace(req);
            const want = await trace(graphFromRows({ transfers: all }), {
              start: req.addresses,
              model,
              direction,
              maxHops: 6,
              maxAddresses: 1000,
              labels,
              // fetch: false reports what is not stored in full, as the engine does without allComplete
              allComplete: false,
              ...(stops ? {} : { stopAt: [] }),
              utxoAsset: { asset: "ETH", symbol: "ETH", decimals: 18 },
            });
            const { chain, stats, sources: _s, window: _w, clusters: _c, ...rest2 } = got;
            const { requests, rounds, gaps, coverage: _cov, ...engineStats } = stats;
            expect(chain).toBe("ethereum");
            expect(requests).toBe(0);
            expect(gaps).toEqual([]);
            // the engine's result, without what the answer adds (units, block heights and times)
            const engineView = {
              ...rest2,
              endpoints: rest2.endpoints.map((e) => ({
                ...e,
                paths: e.paths.map((p) => ({
                  ...p,
                  hops: p.hops.map(({ height: _h, time: _t, ...h }) => h),
                })),
              })),
              nodes: rest2.nodes.map(({ symbol: _y, decimals: _d, ...n }) => n),
              edges: rest2.edges.map(({ symbol: _y, decimals: _d, height: _h, time: _t, ...e }) => e),
            };
            expect({ ...engineView, stats: engineStats }).toEqual(want);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("trace index watermark", () => {
  it("counts rows not yet indexed, never a row without sender, and the highest transfer id", async () => {
    const w = await testServices("watermark");
    try {
      const rows = new TraceStore(w.store);
      const e = new Eth();
      e.tx("a", [{ from: hex("w0"), to: hex("w1"), value: 5n }]);
      e.tx("b", [{ from: hex("w1"), to: hex("w2"), value: 3n }]);
      const insert = (txid: string, from: string | null) =>
        w.store.sql(
          `INSERT INTO account_transfers (chain, txid, kind, seq, block_number, from_address, to_address, asset, value, success)
           VALUES ('ethereum', $txid, 'native', 0, 9, $from, $to, 'ETH', 1::HUGEINT, true)`,
          { txid, from, to: hex("w3") },
        );
      expect(await rows.accountWatermark("ethereum")).toEqual({ upto: 0, unindexed: 0 });
      for (const r of e.rows) await insert(r.txid, r.from);
      await insert(hex("nosender"), null);
      expect(await rows.accountWatermark("ethereum")).toEqual({ upto: 0, unindexed: 2 });
      const upto = await new TraceService(w.store, w.labels, w.ingest, w.source).graphOf("ethereum").index();
      expect(await rows.accountWatermark("ethereum")).toEqual({ upto, unindexed: 0 });
      expect(upto).toBeGreaterThanOrEqual(2);
      await insert(hex("c"), hex("w2"));
      expect(await rows.accountWatermark("ethereum")).toEqual({ upto, unindexed: 1 });
    } finally {
      w.close();
    }
  });
});
