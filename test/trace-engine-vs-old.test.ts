/**
 * The sweep engine (trace-engine.ts on a TraceGraph) against the engine it replaces (trace.ts on a
 * MapGraph), on the hand-built scenarios and on random graphs: the same endpoints, amounts, hops,
 * paths, nodes, edges and stats, for both models of chain, all three taint models, both directions,
 * stops, minValue, hop limits, link search and budgets.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MapGraph } from "../src/core/graph.ts";
import { type TraceParams as OldParams, trace as oldTrace } from "../src/core/trace.ts";
import { trace as newTrace, type TraceParams } from "../src/core/trace-engine.ts";
import { graphFromRows } from "../src/core/trace-graph.ts";
import type { AccountTransfer, UtxoTx } from "../src/domain.ts";
import {
  accountArb,
  accountChain,
  buildAccount,
  buildDag,
  coinJoin,
  cycle,
  Eth,
  fanOutIn,
  L,
  type Labels,
  peelChain,
  USDT,
  utxoDagArb,
} from "./helpers/trace-rows.ts";

const TOKEN2 = "0x00000000000000000000000000000000000000aa";
/** Richer account histories: several moves per transaction, several transactions per block, tokens, failures, zero values. */
const richAccountArb = fc.array(
  fc.record({
    moves: fc.array(
      fc.record({
        from: fc.integer({ min: 0, max: 6 }),
        to: fc.integer({ min: -1, max: 6 }),
        value: fc.integer({ min: 0, max: 80 }),
        asset: fc.integer({ min: 0, max: 2 }),
        internal: fc.boolean(),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    fee: fc.integer({ min: 0, max: 3 }),
    ok: fc.integer({ min: 0, max: 9 }),
    sameBlock: fc.boolean(),
  }),
  { minLength: 10, maxLength: 60 },
);

function buildRichAccount(txs: typeof richAccountArb extends fc.Arbitrary<infer T> ? T : never): Eth {
  const e = new Eth();
  e.tx("fund", [
    { from: "src", to: "a0", value: 100n },
    { from: "src", to: "a0", value: 100n, asset: USDT },
    { from: "src", to: "a1", value: 50n },
  ]);
  txs.forEach((t, n) => {
    e.tx(
      `r${n}`,
      t.moves.map((m) => {
        const asset = m.asset === 0 ? "ETH" : m.asset === 1 ? USDT : TOKEN2;
        return {
          from: `a${m.from}`,
          to: m.to < 0 ? null : `a${m.to}`,
          value: BigInt(m.value),
          asset,
          kind: asset !== "ETH" ? "token" : m.internal ? "internal" : "native",
          success: t.ok !== 0,
          decimals: asset === TOKEN2 ? 0 : undefined,
        } as const;
      }),
      BigInt(t.fee),
      t.sameBlock,
    );
  });
  return e;
}

/** UTXO rows with two transactions per block (a child may spend its parent in the same block). */
function pairBlocks(rows: UtxoTx[]): UtxoTx[] {
  return rows.map((t, i) => ({ ...t, block: t.block ? { ...t.block, height: 800_000 + (i >> 1) } : null }));
}

type Model = "poison" | "haircut" | "fifo";
const MODELS: Model[] = ["poison", "haircut", "fifo"];
const DIRECTIONS = ["forward", "backward"] as const;

interface Rows {
  utxoTxs?: UtxoTx[];
  transfers?: AccountTransfer[];
  complete: string[];
}

async function same(rows: Rows, params: TraceParams): Promise<void> {
  const old = oldTrace(new MapGraph(rows), params as OldParams);
  // the old engine left ties between assets in insertion order; the new one orders them by asset
  const s = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const d = (a: bigint, b: bigint) => (a > b ? -1 : a < b ? 1 : 0);
  old.nodes.sort(
    (x, y) => x.hop - y.hop || d(x.amount, y.amount) || s(x.address, y.address) || s(x.asset, y.asset),
  );
  old.edges.sort(
    (x, y) =>
      x.hop - y.hop ||
      d(x.amount, y.amount) ||
      s(x.txid, y.txid) ||
      s(x.from, y.from) ||
      s(x.to, y.to) ||
      s(x.asset, y.asset),
  );
  const got = await newTrace(graphFromRows(rows), params);
  expect(got).toEqual(old);
}

describe("sweep engine equals the engine it replaces", () => {
  const scenarios: { name: string; rows: Rows; labels: Map<string, Labels>; starts: string[] }[] = [];
  for (const [name, s] of [
    ["peel", peelChain()],
    ["coinjoin", coinJoin()],
    ["fan", fanOutIn()],
    ["cycle", cycle()],
  ] as const)
    scenarios.push({
      name,
      rows: { utxoTxs: s.b.rows(), complete: s.b.addresses() },
      labels: s.labels,
      starts: ["A", "Z", "C", "M2"],
    });
  const ac = accountChain();
  scenarios.push({
    name: "account",
    rows: { transfers: ac.e.rows, complete: ac.e.addresses() },
    labels: ac.labels,
    starts: ["A", "Y", "M", "S"],
  });
  const variants: Omit<TraceParams, "start">[] = [
    {},
    { stopAt: [] },
    { minValue: 150n },
    { maxHops: 2 },
    { targets: { categories: ["exchange"] } },
    { targets: { addresses: ["X2", "W", "Z", "D"] } },
    { maxAddresses: 2 },
    { maxAddresses: 3, stopAt: [] },
    { expansion: "rounds" },
    { includeGraph: false, maxPathsPerEndpoint: 1 },
  ];
  for (const sc of scenarios)
    it(`${sc.name}: every model, direction and variant`, async () => {
      for (const start of sc.starts)
        for (const model of MODELS)
          for (const direction of DIRECTIONS)
            for (const v of variants)
              await same(sc.rows, { start, model, direction, labels: sc.labels, ...v });
    });

  it("random UTXO and account graphs (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(
        utxoDagArb,
        accountArb,
        fc.constantFrom<Model>("poison", "haircut", "fifo"),
        fc.constantFrom(...DIRECTIONS),
        fc.record({
          maxHops: fc.integer({ min: 1, max: 6 }),
          minValue: fc.integer({ min: 0, max: 40 }),
          stopAddr: fc.integer({ min: 1, max: 5 }),
          stops: fc.boolean(),
          target: fc.constantFrom("none", "category", "address"),
          budget: fc.constantFrom(0, 1, 2, 3, 5),
          start: fc.integer({ min: 0, max: 2 }),
        }),
        async (dag, moves, model, direction, o) => {
          const labels = new Map([
            [`a${o.stopAddr}`, L("exchange")],
            [`a${(o.stopAddr % 5) + 1}`, L("scam")],
            [`a${(o.stopAddr % 4) + 2}`, L("gambling")],
          ]);
          const b = buildDag(dag, true);
          const e = buildAccount(moves);
          const params: TraceParams = {
            start: `a${o.start}`,
            model,
            direction,
            maxHops: o.maxHops,
            minValue: BigInt(o.minValue),
            labels,
            ...(o.stops ? {} : { stopAt: [] }),
            ...(o.target === "category" ? { targets: { categories: ["scam"] } } : {}),
            ...(o.target === "address" ? { targets: { addresses: [`a${(o.stopAddr % 5) + 1}`] } } : {}),
            ...(o.budget > 0 ? { maxAddresses: o.budget } : {}),
          };
          await same({ utxoTxs: b.rows(), complete: b.addresses() }, params);
          await same({ utxoTxs: pairBlocks(b.rows()), complete: b.addresses() }, params);
          await same({ transfers: e.rows, complete: e.addresses() }, params);
        },
      ),
      { numRuns: 1500 },
    );
  }, 600_000);

  it("random richer account histories (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(
        richAccountArb,
        fc.constantFrom<Model>("poison", "haircut", "fifo"),
        fc.constantFrom(...DIRECTIONS),
        fc.record({
          maxHops: fc.integer({ min: 1, max: 8 }),
          minValue: fc.constantFrom(0, 0, 3, 20),
          stopAddr: fc.integer({ min: 1, max: 6 }),
          stops: fc.boolean(),
          target: fc.constantFrom("none", "category", "address"),
          budget: fc.constantFrom(0, 0, 2, 4),
          starts: fc.subarray(["a0", "a1", "a2", "a3"], { minLength: 1 }),
          partial: fc.boolean(),
        }),
        async (txs, model, direction, o) => {
          const e = buildRichAccount(txs);
          const labels = new Map([
            [`a${o.stopAddr}`, L("exchange")],
            [`a${(o.stopAddr % 6) + 1}`, L("scam")],
            ["src", L("exchange", "Source")],
          ]);
          await same(
            // partial: only some histories complete (missing addresses)
            { transfers: e.rows, complete: o.partial ? ["a0", "a2", "a4"] : e.addresses() },
            {
              start: o.starts,
              model,
              direction,
              maxHops: o.maxHops,
              minValue: BigInt(o.minValue),
              labels,
              ...(o.stops ? {} : { stopAt: [] }),
              ...(o.target === "category" ? { targets: { categories: ["scam"] } } : {}),
              ...(o.target === "address" ? { targets: { addresses: [`a${(o.stopAddr % 6) + 1}`] } } : {}),
              ...(o.budget > 0 ? { maxAddresses: o.budget } : {}),
            },
          );
        },
      ),
      { numRuns: 2000 },
    );
  }, 600_000);
});
