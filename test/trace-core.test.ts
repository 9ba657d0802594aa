/**
 * Trace core: every expected amount below is computed by hand in the comments next to it.
 * Amounts are satoshi (UTXO) or base units (account); small numbers keep the arithmetic readable.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  exposure,
  type Model,
  type TraceParams,
  type TraceResult,
  trace,
  traceRun,
} from "../src/core/trace.ts";
import { DenseKeys, graphFromRows, TraceGraph } from "../src/core/trace-graph.ts";
import type { AccountTransfer, UtxoTx } from "../src/domain.ts";
import {
  accountArb,
  accountChain,
  type Btc,
  buildAccount,
  buildDag,
  coinJoin,
  cycle,
  Eth,
  fanOutIn,
  hash,
  L,
  peelChain,
  USDT,
  utxoDagArb,
} from "./helpers/trace-rows.ts";

// ---------------------------------------------------------------------------------------------

function utxoGraph(b: Btc): TraceGraph {
  return graphFromRows({ utxoTxs: b.rows(), complete: b.addresses() });
}
function ethGraph(e: Eth): TraceGraph {
  return graphFromRows({ transfers: e.rows, complete: e.addresses() });
}
function amounts(r: TraceResult): Record<string, bigint> {
  return Object.fromEntries(
    r.endpoints.map((e) => [
      `${e.address}${e.asset === "BTC" || e.asset === "ETH" ? "" : `/${e.asset}`}`,
      e.amount,
    ]),
  );
}
function nodeAmounts(r: TraceResult): Record<string, bigint> {
  return Object.fromEntries(r.nodes.map((n) => [n.address, n.amount]));
}
const MODELS: Model[] = ["poison", "haircut", "fifo"];

// ---------------------------------------------------------------------------------------------
// scenario: peel chain

describe("UTXO peel chain", () => {
  const { b, labels } = peelChain();
  const g = utxoGraph(b);

  it("poison: every output after a tainted input is fully tainted", async () => {
    const r = await trace(g, { start: "A", model: "poison", labels });
    // X1 10_000_000 (hop 1); X2 20_000_000 (hop 2); X3 30_000_000 (hop 3)
    expect(amounts(r)).toEqual({ X1: 10_000_000n, X2: 20_000_000n, X3: 30_000_000n });
    expect(r.endpoints.map((e) => [e.address, e.hops, e.stop])).toEqual([
      ["X3", 3, true],
      ["X2", 2, true],
      ["X1", 1, true],
    ]);
    // C2 = 79_990_000 fully tainted; C3 = 49_980_000
    expect(nodeAmounts(r)).toMatchObject({ C1: 89_990_000n, C2: 79_990_000n, C3: 49_980_000n });
  });

  it("haircut: the clean input of T2 dilutes everything after it", async () => {
    const r = await trace(g, { start: "A", model: "haircut", labels });
    // T1: all inputs tainted -> X1 = 10_000_000, C1 = 89_990_000.
    // T2: share = 89_990_000 / 100_000_000 = 0.8999
    //   X2 = floor(20_000_000 * 0.8999) = 17_998_000
    //   C2 = floor(79_990_000 * 0.8999) = 71_983_001  (fee share 10_000 * 0.8999 = 8_999)
    // T3: share = 71_983_001 / 79_990_000 = 0.8999 (exactly)
    //   X3 = floor(30_000_000 * 0.8999) = 26_997_000
    //   C3 = floor(49_980_000 * 0.8999) = 44_977_002  (fee share 8_999)
    expect(amounts(r)).toEqual({ X1: 10_000_000n, X2: 17_998_000n, X3: 26_997_000n });
    expect(nodeAmounts(r)).toMatchObject({ C2: 71_983_001n, C3: 44_977_002n });
    // conservation: 100_000_000 = X1 + C1 ... = 10_000_000 + 17_998_000 + 26_997_000 + 44_977_002
    //   + fees 10_000 (T1) + 8_999 (T2) + 8_999 (T3)
    expect(10_000_000n + 17_998_000n + 26_997_000n + 44_977_002n + 10_000n + 8_999n + 8_999n).toBe(
      100_000_000n,
    );
  });

  it("fifo: tainted satoshis are the head of T2's input range", async () => {
    const r = await trace(g, { start: "A", model: "fifo", labels });
    // T2 inputs: C1 [0, 89_990_000) tainted, K [89_990_000, 100_000_000) clean
    //   X2 [0, 20_000_000) -> 20_000_000;  C2 [20_000_000, 99_990_000) -> 69_990_000 (local [0, 69_990_000))
    //   fee [99_990_000, 100_000_000) clean
    // T3 inputs: C2 [0, 79_990_000) with [0, 69_990_000) tainted
    //   X3 [0, 30_000_000) -> 30_000_000; C3 [30_000_000, 79_980_000) -> 39_990_000; fee clean
    expect(amounts(r)).toEqual({ X1: 10_000_000n, X2: 20_000_000n, X3: 30_000_000n });
    expect(nodeAmounts(r)).toMatchObject({ C2: 69_990_000n, C3: 39_990_000n });
  });

  it("stop-at: taint into an exchange is reported and not followed (X1 -> Y stays clean)", async () => {
    const r = await trace(g, { start: "A", model: "poison", labels });
    expect(r.nodes.find((n) => n.address === "Y")).toBeUndefined();
    expect(r.nodes.find((n) => n.address === "X1")).toMatchObject({ stop: true, expanded: false });
    // without stop categories X1 is followed: Y receives X1's 10_000_000 at hop 2
    const open = await trace(g, { start: "A", model: "poison", labels, stopAt: [] });
    expect(open.nodes.find((n) => n.address === "Y")).toMatchObject({ amount: 10_000_000n, hop: 2 });
    expect(open.endpoints.find((e) => e.address === "X1")!.stop).toBe(false);
  });

  it("paths list the peel route hop by hop", async () => {
    const r = await trace(g, { start: "A", model: "haircut", labels });
    const x3 = r.endpoints.find((e) => e.address === "X3")!;
    expect(x3.paths).toHaveLength(1);
    expect(x3.paths[0]!.hops.map((h) => [b.names.get(h.txid), h.from, h.to, h.amount])).toEqual([
      ["T1", "A", "C1", 89_990_000n],
      ["T2", "C1", "C2", 71_983_001n],
      ["T3", "C2", "X3", 26_997_000n],
    ]);
    expect(r.stats.truncated).toBe(false);
    expect(r.stats.missing).toEqual({ txids: [], addresses: [], addressCount: 0 });
  });

  it("hop limits: X3 (hop 3) is not reached with maxHops 2", async () => {
    const r = await trace(g, { start: "A", model: "poison", labels, maxHops: 2 });
    expect(amounts(r)).toEqual({ X1: 10_000_000n, X2: 20_000_000n });
    expect(r.nodes.find((n) => n.address === "C3")).toBeUndefined();
  });

  it("minValue: pieces below it are dropped and not followed", async () => {
    // fifo: X1 10_000_000, X2 20_000_000, X3 30_000_000; minValue 15_000_000 drops X1 only
    const r = await trace(g, { start: "A", model: "fifo", labels, minValue: 15_000_000n });
    expect(amounts(r)).toEqual({ X2: 20_000_000n, X3: 30_000_000n });
    // haircut with minValue 50_000_000: C2 (71_983_001) kept, X2 (17_998_000) dropped,
    // X3 (26_997_000) dropped, C3 (44_977_002) dropped
    const h = await trace(g, { start: "A", model: "haircut", labels, minValue: 50_000_000n });
    expect(amounts(h)).toEqual({});
    expect(Object.keys(nodeAmounts(h)).sort()).toEqual(["A", "C1", "C2"]);
  });
});

// ---------------------------------------------------------------------------------------------
// scenario: CoinJoin

describe("CoinJoin in the path", () => {
  const { b, labels } = coinJoin();
  const g = utxoGraph(b);
  it("poison taints all five outputs in full", async () => {
    // every output 99_000_000
    expect(amounts(await trace(g, { start: "A", model: "poison", labels }))).toEqual({
      E1: 99_000_000n,
      E2: 99_000_000n,
      G: 99_000_000n,
    });
  });
  it("haircut gives each output a fifth", async () => {
    // floor(99_000_000 * 100_000_000 / 500_000_000) = 19_800_000 each; fee share 1_000_000
    expect(amounts(await trace(g, { start: "A", model: "haircut", labels }))).toEqual({
      E1: 19_800_000n,
      E2: 19_800_000n,
      G: 19_800_000n,
    });
  });
  it("fifo follows the satoshi interval of vin 2", async () => {
    // tainted input interval [200_000_000, 300_000_000)
    // M2 = [198_000_000, 297_000_000) -> 97_000_000; M3 = [297_000_000, 396_000_000) -> 3_000_000
    // M1 = [99_000_000, 198_000_000) -> 0, so E2 is clean
    const r = await trace(g, { start: "A", model: "fifo", labels });
    expect(amounts(r)).toEqual({ G: 97_000_000n, E1: 3_000_000n });
    expect(r.endpoints.map((e) => [e.address, e.hops])).toEqual([
      ["G", 2],
      ["E1", 2],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// scenario: fan-out / fan-in

describe("fan-out / fan-in", () => {
  const { b, labels } = fanOutIn();
  const g = utxoGraph(b);
  it("amounts per model", async () => {
    // poison: Z = 199_990_000
    // haircut: floor(199_990_000 * 100_000_000 / 200_000_000) = 99_995_000
    // fifo: K [0, 100_000_000) clean, B1..B3 [100_000_000, 200_000_000) tainted;
    //   Z [0, 199_990_000) -> 99_990_000; the fee tail [199_990_000, 200_000_000) takes 10_000 taint
    expect(amounts(await trace(g, { start: "A", model: "poison", labels }))).toEqual({ Z: 199_990_000n });
    expect(amounts(await trace(g, { start: "A", model: "haircut", labels }))).toEqual({ Z: 99_995_000n });
    expect(amounts(await trace(g, { start: "A", model: "fifo", labels }))).toEqual({ Z: 99_990_000n });
  });
  it("three paths, widest first", async () => {
    const r = await trace(g, { start: "A", model: "haircut", labels });
    const z = r.endpoints[0]!;
    expect(z.hops).toBe(2);
    // Z's 99_995_000 split over B1:B2:B3 taint 40:30:30 -> 39_998_000, 29_998_500, 29_998_500
    expect(z.paths.map((p) => p.hops.map((h) => `${h.from}>${h.to}:${h.amount}`).join(" "))).toEqual([
      "A>B1:40000000 B1>Z:39998000",
      "A>B2:30000000 B2>Z:29998500",
      "A>B3:30000000 B3>Z:29998500",
    ]);
    expect(z.paths.map((p) => p.bottleneck)).toEqual([39_998_000n, 29_998_500n, 29_998_500n]);
    expect(z.pathsCapped).toBe(false);
    // the edges carry the same split
    expect(r.edges.filter((e) => e.to === "Z").map((e) => e.amount)).toEqual([
      39_998_000n,
      29_998_500n,
      29_998_500n,
    ]);
  });
  it("budget: maxAddresses 2 expands A and the biggest hop-1 address only", async () => {
    const r = await trace(g, { start: "A", model: "haircut", labels, maxAddresses: 2 });
    // B1 (40_000_000) is expanded, B2/B3 are reached but not followed, so T2 sees one tainted input:
    // Z = floor(199_990_000 * 40_000_000 / 200_000_000) = 39_998_000
    expect(amounts(r)).toEqual({ Z: 39_998_000n });
    expect(r.stats.truncated).toBe(true);
    expect(r.stats.addressesVisited).toBe(2);
    expect(r.nodes.filter((n) => n.expanded).map((n) => n.address)).toEqual(["A", "B1"]);
    // a big enough budget is not truncated and gives the full answer
    const full = await trace(g, { start: "A", model: "haircut", labels, maxAddresses: 10 });
    expect(full.stats.truncated).toBe(false);
    expect(amounts(full)).toEqual({ Z: 99_995_000n });
  });
  it("backward from Z: where its coins came from", async () => {
    // haircut backward: T2's inputs share Z's 199_990_000 by value / 200_000_000:
    //   K 99_995_000, B1 39_998_000, B2 29_998_500, B3 29_998_500
    // T1 backward: its tainted outputs total 99_995_000 -> A's input gets floor(100_000_000 * 99_995_000 / 100_000_000)
    const labelsA = new Map([["A", L("scam")]]);
    const r = await trace(g, { start: "Z", direction: "backward", model: "haircut", labels: labelsA });
    expect(nodeAmounts(r)).toEqual({
      Z: 199_990_000n,
      K: 99_995_000n,
      B1: 39_998_000n,
      B2: 29_998_500n,
      B3: 29_998_500n,
      A: 99_995_000n,
    });
    expect(r.endpoints.map((e) => [e.address, e.amount, e.hops])).toEqual([["A", 99_995_000n, 2]]);
    // path in trace order, money-flow direction on each hop
    expect(r.endpoints[0]!.paths[0]!.hops.map((h) => `${b.names.get(h.txid)}:${h.from}>${h.to}`)).toEqual([
      "T2:B1>Z",
      "T1:A>B1",
    ]);
    // fifo backward: Z [0, 199_990_000): K 100_000_000, B1 40_000_000, B2 30_000_000,
    //   B3 [170_000_000, 200_000_000) -> 29_990_000; T1: B1+B2+B3 tainted [0, 99_990_000) -> A 99_990_000
    const f = await trace(g, { start: "Z", direction: "backward", model: "fifo", labels: labelsA });
    expect(nodeAmounts(f)).toMatchObject({ K: 100_000_000n, B3: 29_990_000n, A: 99_990_000n });
  });
});

// ---------------------------------------------------------------------------------------------
// scenario: cycle

describe("cycle", () => {
  const { b, labels } = cycle();
  const g = utxoGraph(b);
  it.each(MODELS)("%s: terminates, counts each piece once", async (model) => {
    const r = await trace(g, { start: "A", model, labels });
    // T1 hop 1, T2 hop 2, T3 hop 3, T4 spends hop-2 and hop-3 coins -> hop 3, D = 40M + 30M = 70M.
    // T3 pays 30M back to A: A's outputs are all pinned fully tainted (hop 0), so T5 is hop 1.
    expect(r.endpoints.map((e) => [e.address, e.amount, e.hops])).toEqual([
      ["D", 70_000_000n, 3],
      ["E", 30_000_000n, 1],
    ]);
    // B received three tainted coins: 100M (hop 1) + 40M + 30M; A's node stays its pinned 130M
    expect(nodeAmounts(r)).toMatchObject({ A: 130_000_000n, B: 170_000_000n, C: 60_000_000n });
    // the return to A is an edge, with the taint T3 computed for it
    expect(r.edges.find((e) => e.to === "A")).toMatchObject({ from: "C", amount: 30_000_000n, hop: 3 });
  });
});

// ---------------------------------------------------------------------------------------------
// scenario: account chain with interleaved deposits

describe("account chain: interleaved tainted and clean deposits", () => {
  const { e, labels } = accountChain();
  const g = ethGraph(e);

  it("poison: everything M sends after b2 is tainted", async () => {
    const r = await trace(g, { start: "A", model: "poison", labels });
    // X 100 (hop 2), Y 500 (hop 2), Z 250 (hop 2), W 500 (hop 3, via the non-stop terror label)
    expect(amounts(r)).toEqual({ X: 100n, Y: 500n, Z: 250n, W: 500n });
    expect(r.endpoints.find((x) => x.address === "W")!.hops).toBe(3);
  });

  it("haircut: tainted share of M's balance", async () => {
    // balance b and tainted balance tb at M:
    //   b1 +300 clean          b=300  tb=0
    //   b2 +200 tainted        b=500  tb=200
    //   b3 -100 to X: floor(100*200/500)=40        b=400  tb=160
    //   b4 +400 clean          b=800  tb=160
    //   b5 +300 tainted        b=1100 tb=460
    //   b6 fee 10: floor(10*460/1100)=4 (leaves)   b=1090 tb=456
    //      -500 to Y: floor(500*456/1090)=209      b=590  tb=247
    //   b7 -250 to Z: floor(250*247/590)=104       b=340  tb=143
    //   check: 40 + 4 + 209 + 104 + 143 = 400 + 100 = 500 tainted in
    // Y forwards its whole balance: v = b, so all of Y's 209 goes to W.
    const r = await trace(g, { start: "A", model: "haircut", labels });
    expect(amounts(r)).toEqual({ X: 40n, Y: 209n, Z: 104n, W: 209n });
  });

  it("fifo: M's lots are consumed oldest first", async () => {
    // receipt stream at M: K1 [0,300) clean, A [300,500) tainted, K2 [500,900) clean, A [900,1200) tainted
    //   b3 X 100  = [0,100)     -> 0
    //   b6 fee 10 = [100,110)   -> 0
    //      Y 500  = [110,610)   -> overlap [300,500) = 200 (local [190,390))
    //   b7 Z 250  = [610,860)   -> 0
    // Y -> W 500 = Y's lot [0,500) -> 200
    const r = await trace(g, { start: "A", model: "fifo", labels });
    expect(amounts(r)).toEqual({ Y: 200n, W: 200n });
    expect(r.nodes.find((n) => n.address === "X")).toBeUndefined();
  });

  it("non-stop labels are followed, stop labels are not", async () => {
    const r = await trace(g, { start: "A", model: "haircut", labels });
    expect(r.endpoints.find((x) => x.address === "Y")).toMatchObject({ stop: false, hops: 2 });
    expect(r.nodes.find((n) => n.address === "Y")!.expanded).toBe(true);
    expect(r.endpoints.find((x) => x.address === "X")).toMatchObject({ stop: true });
    expect(r.nodes.find((n) => n.address === "X")!.expanded).toBe(false);
  });

  it("paths and edges of an account route", async () => {
    const r = await trace(g, { start: "A", model: "haircut", labels });
    const w = r.endpoints.find((x) => x.address === "W")!;
    // W's 209 came along A -> M (b2 and b5; both feed M's spend to Y), M -> Y, Y -> W
    expect(w.paths.map((p) => p.hops.map((h) => `${h.from}>${h.to}:${h.amount}`).join(" "))).toEqual([
      "A>M:300 M>Y:209 Y>W:209",
      "A>M:200 M>Y:209 Y>W:209",
    ]);
    expect(r.edges.map((x) => `${x.from}>${x.to}:${x.amount}@${x.hop}`)).toEqual([
      "A>M:300@1",
      "A>M:200@1",
      "M>Y:209@2",
      "M>Z:104@2",
      "M>X:40@2",
      "Y>W:209@3",
    ]);
  });

  it("a token route through an address that also pays gas keeps its paths in every model", async () => {
    // B holds tainted then clean USDT and pays ETH gas on each spend: the gas must not enter the USDT replay
    const t = new Eth();
    t.tx("s-a", [{ from: "S", to: "A", value: 5_000n, asset: USDT }]);
    t.tx("a-b", [{ from: "A", to: "B", value: 5_000n, asset: USDT }], 7n);
    t.tx("k-b", [{ from: "K", to: "B", value: 5_000n, asset: USDT }], 7n);
    t.tx("b-g", [{ from: "B", to: "G", value: 4_000n, asset: USDT }], 900_000n);
    t.tx("b-c", [{ from: "B", to: "C", value: 3_000n, asset: USDT }], 900_000n);
    const tl = new Map([["G", L("terrorism_financing", "Gaza Now")]]);
    const want = { poison: 4_000n, haircut: 2_000n, fifo: 4_000n } as const;
    for (const model of ["poison", "haircut", "fifo"] as const) {
      const r = await trace(ethGraph(t), { start: "A", model, labels: tl });
      const gz = r.endpoints.find((x) => x.address === "G")!;
      expect(gz.amount).toBe(want[model]);
      expect(gz.paths.map((p) => p.hops.map((h) => `${h.from}>${h.to}`).join(" "))).toEqual(["A>B B>G"]);
    }
  });

  it("backward from Y: haircut, fifo and poison attribution", async () => {
    // reversed walk at M starts from its final balance 340 (clean); Y's 500 is backward-tainted:
    //   b7 Z out 250 (clean)            b=590
    //   b6 Y out 500 (tainted 500)      b=1090 tb=500;  fee 10 out: b=1100
    //   b5 A in 300: floor(300*500/1100)=136 -> A      b=800 tb=364
    //   b4 K2 in 400: floor(400*364/800)=182 -> K2     b=400 tb=182
    //   b3 X out 100 (clean)            b=500
    //   b2 A in 200: floor(200*182/500)=72 -> A        b=300 tb=110
    //   b1 K1 in 300: v = b -> all 110 -> K1
    //   check 136 + 182 + 72 + 110 = 500
    // at A (final balance 1000-205-305 = 490): its outs to M carry 72 (b2) and 136 (b5) backwards,
    //   S in 1000 at b0 takes everything: 208 -> S (exchange: stop, hop 3)
    const h = await trace(g, { start: "Y", direction: "backward", model: "haircut", labels });
    expect(nodeAmounts(h)).toEqual({ Y: 500n, M: 500n, A: 208n, K1: 110n, K2: 182n, S: 208n });
    expect(amounts(h)).toEqual({ S: 208n });
    expect(h.endpoints[0]!.paths[0]!.hops.map((x) => `${x.from}>${x.to}`)).toEqual(["M>Y", "A>M", "S>A"]);
    // fifo: forward coordinates at M: K1 [0,300) A [300,500) K2 [500,900) A [900,1200);
    //   outs X [0,100) fee [100,110) Y [110,610) Z [610,860).
    //   Y's [110,610) overlaps K1 190, A 200, K2 110. At A: fee [0,5), out to M [5,205) (tainted 200)
    //   -> S's lot [0,1000) gets 200.
    const f = await trace(g, { start: "Y", direction: "backward", model: "fifo", labels });
    expect(nodeAmounts(f)).toEqual({ Y: 500n, M: 500n, A: 200n, K1: 190n, K2: 110n, S: 200n });
    // poison: every deposit before Y's spend is fully tainted: K1 300, A 200 + 300, K2 400; S 1000
    const p = await trace(g, { start: "Y", direction: "backward", model: "poison", labels });
    expect(nodeAmounts(p)).toEqual({ Y: 500n, M: 500n, A: 500n, K1: 300n, K2: 400n, S: 1000n });
  });

  it("exposure: direct and indirect by category, in and out", async () => {
    const x = await exposure(g, "M", { labels, hops: 3 });
    // Denominators: everything M received, 300 + 200 + 400 + 300 = 1200, in both directions.
    // out (forward haircut from M; all its receipts are pinned, so tb = b and every spend is fully
    //   tainted): X 100, Y 500 (terrorism_financing), Z 250 (gambling) at hop 1 = direct;
    //   W receives Y's 500 at hop 2 = indirect exchange. Shares: 500/1200 = 0.4166, 250/1200 = 0.2083,
    //   100/1200 = 0.0833 (4 decimals, floor).
    // in (backward from M): its senders K1 (300), A (200 + 300), K2 (400) are hop 1, unlabelled.
    //   At A (final balance 1000 - 205 - 305 = 490) the reversed walk adds back the outs to M
    //   (backward taint 300 and 200) and the fees (clean): b = 1000, tb = 500 when S's 1000 is reached,
    //   v = b so S (exchange, hop 2) gets all 500 = indirect.
    expect(x.totals).toEqual([
      { direction: "in", asset: "ETH", amount: 1200n },
      { direction: "out", asset: "ETH", amount: 1200n },
    ]);
    expect(x.direct.map((d) => [d.direction, d.category, d.amount, d.share])).toEqual([
      ["out", "terrorism_financing", 500n, "0.4166"],
      ["out", "gambling", 250n, "0.2083"],
      ["out", "exchange", 100n, "0.0833"],
    ]);
    expect(x.indirect.map((d) => [d.direction, d.category, d.amount, d.shareBps])).toEqual([
      ["in", "exchange", 500n, 4166],
      ["out", "exchange", 500n, 4166],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// scenario: tokens and failed transfers

describe("account: tokens, fees and failed transfers", () => {
  it("token taint is a separate flow from ETH taint", async () => {
    const e = new Eth();
    e.tx("s-a-eth", [{ from: "S", to: "A", value: 1_000_000n }]);
    e.tx("s-a-usdt", [{ from: "S", to: "A", value: 5_000_000n, asset: USDT }]);
    e.tx("k-m-eth", [{ from: "K", to: "M", value: 2_000_000n }]);
    // A sends 5 USDT to M (the gas is paid in ETH by A: taint of A's ETH leaves as fee)
    e.tx("a-m-usdt", [{ from: "A", to: "M", value: 5_000_000n, asset: USDT }], 21_000n);
    // M sends ETH (clean: M never received tainted ETH) to P and USDT to Q
    e.tx("m-p-eth", [{ from: "M", to: "P", value: 1_500_000n }], 21_000n);
    e.tx("m-q-usdt", [{ from: "M", to: "Q", value: 3_000_000n, asset: USDT }], 21_000n);
    const labels = new Map([
      ["P", L("exchange")],
      ["Q", L("exchange")],
    ]);
    const r = await trace(ethGraph(e), { start: "A", model: "haircut", labels });
    // USDT at M: 5_000_000 all tainted -> Q gets 3_000_000 USDT; P gets no ETH taint
    expect(r.endpoints.map((x) => [x.address, x.asset, x.amount, x.decimals, x.symbol])).toEqual([
      ["Q", USDT, 3_000_000n, 6, "USDT"],
    ]);
    expect(
      r.nodes.map((n) => `${n.address}/${n.asset === USDT ? "USDT" : n.asset}:${n.amount}`).sort(),
    ).toEqual(["A/ETH:1000000", "A/USDT:5000000", "M/USDT:5000000", "Q/USDT:3000000"]);
  });

  it("a failed transfer moves nothing (its fee is still paid)", async () => {
    const e = new Eth();
    e.tx("s-a", [{ from: "S", to: "A", value: 1000n }]);
    e.tx("k-a", [{ from: "K", to: "B", value: 1000n }]);
    // A -> V 600 reverts; A -> B 300 succeeds. Fees 10 each.
    e.tx("a-v-fail", [{ from: "A", to: "V", value: 600n, success: false }], 10n);
    e.tx("a-b", [{ from: "A", to: "B", value: 300n }], 10n);
    // B held 1000 clean, now 1300 of which 300 tainted; B sends 650 to X: floor(650*300/1300) = 150
    e.tx("b-x", [{ from: "B", to: "X", value: 650n }]);
    const labels = new Map([
      ["V", L("exchange")],
      ["X", L("exchange")],
    ]);
    for (const model of MODELS) {
      const r = await trace(ethGraph(e), { start: "A", model, labels });
      expect(
        r.nodes.find((n) => n.address === "V"),
        model,
      ).toBeUndefined();
      expect(r.nodes.find((n) => n.address === "B")!.amount, model).toBe(300n);
    }
    // haircut 150; fifo: B's stream K [0,1000) then A [1000,1300): X [0,650) -> 0; poison 650
    expect(amounts(await trace(ethGraph(e), { start: "A", model: "haircut", labels }))).toEqual({ X: 150n });
    expect(amounts(await trace(ethGraph(e), { start: "A", model: "fifo", labels }))).toEqual({});
    expect(amounts(await trace(ethGraph(e), { start: "A", model: "poison", labels }))).toEqual({ X: 650n });
  });

  it("an account cycle (M -> N -> M) terminates and never re-counts", async () => {
    const e = new Eth();
    e.tx("s-a", [{ from: "S", to: "A", value: 100n }]);
    e.tx("a-m", [{ from: "A", to: "M", value: 100n }]);
    e.tx("m-n", [{ from: "M", to: "N", value: 60n }]);
    e.tx("n-m", [{ from: "N", to: "M", value: 60n }]);
    e.tx("m-x", [{ from: "M", to: "X", value: 100n }]);
    const labels = new Map([["X", L("exchange")]]);
    for (const model of MODELS) {
      const r = await trace(ethGraph(e), { start: "A", model, labels });
      // M: 100 in (hop 1), 60 out to N (hop 2), 60 back (hop 3), 100 out to X: fewest hops among
      // the funds it spends is 1 -> hop 2. X gets exactly 100.
      expect(amounts(r), model).toEqual({ X: 100n });
      expect(r.endpoints[0]!.hops).toBe(2);
      expect(nodeAmounts(r)).toMatchObject({ M: 160n, N: 60n });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// hop limits, service clusters, link search

describe("hop limits, services and link search", () => {
  it("an exchange at hop 4 is not reached with maxHops 3", async () => {
    const e = new Eth();
    e.tx("s-a", [{ from: "S", to: "A", value: 100n }]);
    e.tx("h1", [{ from: "A", to: "H1", value: 100n }]);
    e.tx("h2", [{ from: "H1", to: "H2", value: 100n }]);
    e.tx("h3", [{ from: "H2", to: "H3", value: 100n }]);
    e.tx("h4", [{ from: "H3", to: "EX", value: 100n }]);
    const labels = new Map([["EX", L("exchange")]]);
    expect((await trace(ethGraph(e), { start: "A", labels, maxHops: 3 })).endpoints).toEqual([]);
    expect(amounts(await trace(ethGraph(e), { start: "A", labels, maxHops: 4 }))).toEqual({ EX: 100n });
    await expect(trace(ethGraph(e), { start: "A", maxHops: 13 })).rejects.toThrow(RangeError);
    await expect(trace(ethGraph(e), { start: "A", maxHops: 0 })).rejects.toThrow(RangeError);
  });

  it("a service cluster stops the trace even without a label", async () => {
    const e = new Eth();
    e.tx("s-a", [{ from: "S", to: "A", value: 100n }]);
    e.tx("a-d", [{ from: "A", to: "D", value: 100n }]);
    e.tx("d-h", [{ from: "D", to: "HOT", value: 100n }]);
    const clusters = new Map([["D", { clusterId: 7, isService: true }]]);
    const r = await trace(ethGraph(e), { start: "A", clusters });
    expect(r.endpoints.map((x) => [x.address, x.stop, x.cluster])).toEqual([
      ["D", true, { id: "7", isService: true }],
    ]);
    expect(r.nodes.find((n) => n.address === "HOT")).toBeUndefined();
  });

  /** A -> B -> C -> T (terror, hop 3), with distractions: B -> D -> EX, A -> G (gambling), C -> U. */
  function linkGraph() {
    const e = new Eth();
    e.tx("s-a", [{ from: "S", to: "A", value: 1000n }]);
    const t1 = e.tx("a-b", [{ from: "A", to: "B", value: 600n }]);
    e.tx("a-g", [{ from: "A", to: "G", value: 400n }]);
    e.tx("b-d", [{ from: "B", to: "D", value: 200n }]);
    const t2 = e.tx("b-c", [{ from: "B", to: "C", value: 400n }]);
    e.tx("d-ex", [{ from: "D", to: "EX", value: 200n }]);
    const t3 = e.tx("c-t", [{ from: "C", to: "T", value: 150n }]);
    e.tx("c-u", [{ from: "C", to: "U", value: 250n }]);
    const labels = new Map([
      ["T", L("terrorism_financing", "Hamas wallet (NBCTF)")],
      ["EX", L("exchange")],
      ["G", L("gambling")],
    ]);
    return { e, labels, txids: [t1, t2, t3] };
  }

  it("link search by category reports exactly the path to the terror wallet", async () => {
    const { e, labels, txids } = linkGraph();
    const r = await trace(ethGraph(e), {
      start: "A",
      labels,
      targets: { categories: ["terrorism_financing"] },
    });
    expect(r.endpoints).toHaveLength(1);
    const t = r.endpoints[0]!;
    expect([t.address, t.amount, t.hops, t.categories]).toEqual(["T", 150n, 3, ["terrorism_financing"]]);
    expect(t.paths).toEqual([
      {
        bottleneck: 150n,
        hops: [
          { txid: txids[0], from: "A", to: "B", amount: 600n },
          { txid: txids[1], from: "B", to: "C", amount: 400n },
          { txid: txids[2], from: "C", to: "T", amount: 150n },
        ],
      },
    ]);
    expect(r.nodes.map((n) => n.address)).toEqual(["A", "B", "C", "T"]);
    expect(r.edges.map((x) => `${x.from}>${x.to}`)).toEqual(["A>B", "B>C", "C>T"]);
  });

  it("link search by address prunes from both ends and gives the same answer", async () => {
    const { e, labels } = linkGraph();
    const g = ethGraph(e);
    const byCat = await trace(g, { start: "A", labels, targets: { categories: ["terrorism_financing"] } });
    const byAddr = await trace(g, { start: "A", labels, targets: { addresses: ["T"] } });
    expect(byAddr.endpoints).toEqual(byCat.endpoints);
    // pruning: D (can only reach EX), G and U cannot reach T and are never expanded; T itself is
    // (a terror label is not a stop). Without pruning A, B, C, T, D, G, U are expanded.
    expect(byCat.stats.addressesVisited).toBe(7);
    expect(byAddr.stats.addressesVisited).toBe(4);
    // beyond reach within the hop limit: nothing
    expect(
      (await trace(g, { start: "A", labels, targets: { addresses: ["T"] }, maxHops: 2 })).endpoints,
    ).toEqual([]);
  });

  it("reports what is missing: unloaded spenders and incomplete histories", async () => {
    const { b, labels } = peelChain();
    const rows = b.rows();
    // drop T3: C2's spender is known by txid only
    const t3 = hash("T3");
    const g = graphFromRows({ utxoTxs: rows.filter((t) => t.txid !== t3), complete: ["A"] });
    const r = await trace(g, { start: "A", labels });
    expect(r.stats.missing.txids).toEqual([t3]);
    // an output whose spend status was never asked -> fetch its address
    const unasked = rows.map((t) =>
      t.txid === hash("T2") ? { ...t, outputs: t.outputs.map((o) => ({ ...o, spentBy: undefined })) } : t,
    );
    const g2 = graphFromRows({ utxoTxs: unasked.filter((t) => t.txid !== t3), complete: ["A"] });
    expect((await trace(g2, { start: "A", labels })).stats.missing.addresses).toEqual(["C2"]);
    // start not known at all
    expect((await trace(g, { start: "nobody" })).stats.missing.addresses).toEqual(["nobody"]);
    // account: an expanded address without complete history
    // (X and W are exchanges: never expanded, their history is not needed; Z is gambling: followed)
    const ac = accountChain();
    const ge = graphFromRows({ transfers: ac.e.rows, complete: ["A"] });
    expect((await trace(ge, { start: "A", labels: ac.labels })).stats.missing.addresses).toEqual([
      "M",
      "Y",
      "Z",
    ]);
  });

  it("adding rows later is idempotent and fills in the gaps", async () => {
    const { b, labels } = peelChain();
    const rows = b.rows();
    const g = graphFromRows({ utxoTxs: rows.slice(0, 4), complete: b.addresses() });
    const partial = await trace(g, { start: "A", labels, model: "fifo" });
    expect(partial.stats.missing.txids).toEqual([hash("T2")]);
    g.addRows({ utxoTxs: rows }); // everything again, including the first four
    g.addRows({ utxoTxs: rows });
    expect(g.txCount).toBe(rows.length);
    expect(await trace(g, { start: "A", labels, model: "fifo" })).toEqual(
      await trace(utxoGraph(b), { start: "A", labels, model: "fifo" }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// building the graph

describe("DenseKeys: store ids to dense graph ids", () => {
  it("keys in any order get back their ids, and dense keys stay a table however they arrive", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3_000_000 }),
        fc.shuffledSubarray(
          Array.from({ length: 400 }, (_, i) => i),
          { minLength: 1 },
        ),
        (base, order) => {
          const d = new DenseKeys();
          for (const [id, k] of order.entries()) d.set(base + k * 7, id, id + 1);
          expect(order.map((k) => d.get(base + k * 7))).toEqual(order.map((_, id) => id));
          expect(d.get(base + 1)).toBe(-1);
          expect(d.get(base - 7)).toBe(-1);
          expect(d.sparse).toBe(false);
        },
      ),
    );
  });

  it("3M shuffled ids (a 10M-transfer store's addresses) stay a table", () => {
    const n = 3_000_000;
    const keys = Int32Array.from({ length: n }, (_, i) => i + 1);
    let seed = 7;
    for (let i = n - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const j = seed % (i + 1);
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    const d = new DenseKeys();
    for (let id = 0; id < n; id++) d.set(keys[id]!, id, id + 1);
    expect(d.sparse).toBe(false);
    expect([d.get(keys[0]!), d.get(keys[n - 1]!), d.get(n + 1), d.get(0)]).toEqual([0, n - 1, -1, -1]);
  });

  it("falls back to a Map when the keys are far apart, and keeps every id", () => {
    const d = new DenseKeys();
    const keys = [5, 2_000_000_000, 17, 1_000_000_000, 0];
    for (const [id, k] of keys.entries()) d.set(k, id, id + 1);
    expect(d.sparse).toBe(true);
    expect(keys.map((k) => d.get(k))).toEqual([0, 1, 2, 3, 4]);
    expect(d.get(6)).toBe(-1);
  });
});

describe("the graph gives the same answers however it is built", () => {
  const ac = accountChain();
  const params = (model: Model): TraceParams => ({ start: "A", labels: ac.labels, model });

  it("columns of external ids, as a store streams them, equal the rows they came from", async () => {
    const rows = ac.e.rows;
    // store ids: the position in a sorted dictionary, from 100
    const dict = ac.e.addresses().sort();
    const storeId = (a: string) => 100 + dict.indexOf(a);
    const g = new TraceGraph({ ownNames: false });
    const col = (f: (r: AccountTransfer) => number) => Int32Array.from(rows, f);
    const txTag = (txid: string) => Number.parseInt(txid.slice(2, 9), 16);
    g.addTransferChunk({
      count: rows.length,
      from: col((r) => g.addressOfExt(storeId(r.from))),
      to: col((r) => (r.to === null ? -1 : g.addressOfExt(storeId(r.to)))),
      asset: col((r) => g.internAsset(r.asset, r.symbol, r.decimals)),
      flags: col((r) => ({ fee: 0, native: 1, internal: 2, token: 3 })[r.kind] + (r.success ? 4 : 0)),
      block: col((r) => r.blockNumber),
      txIndex: col((r) => r.txIndex),
      seq: col((r) => r.seq),
      tag: col((r) => txTag(r.txid)),
      ext: Int32Array.from(rows, (_, i) => i),
      value: BigInt64Array.from(rows, (r) => r.value - 2n ** 63n),
    });
    const names = {
      addressIds: (as: readonly string[]) =>
        as.map((a) => (dict.includes(a) ? g.addrOfExt.get(storeId(a)) : -1)),
      addresses: (ids: readonly number[]) => ids.map((i) => dict[g.addrExt[i]! - 100]!),
      txids: (req: {
        utxo: readonly number[];
        transfers: readonly number[];
        prevOf: readonly number[];
        spenderOf: readonly number[];
      }) => ({
        utxo: [],
        transfers: req.transfers.map((t) => rows[g.ext[t]!]!.txid),
        prevOf: [],
        spenderOf: [],
      }),
    };
    for (const model of MODELS)
      expect(await trace(g, { ...params(model), names, allComplete: true })).toEqual(
        await trace(ethGraph(ac.e), params(model)),
      );
  });

  it("rows out of chain order, twice, equal rows in order", async () => {
    const reversed = graphFromRows({ transfers: [...ac.e.rows].reverse(), complete: ac.e.addresses() });
    reversed.addRows({ transfers: ac.e.rows });
    for (const model of MODELS)
      expect(await trace(reversed, params(model))).toEqual(await trace(ethGraph(ac.e), params(model)));
  });

  it("a UTXO transaction loaded after the ones that spend it links up with them", async () => {
    const { b, labels } = peelChain();
    const rows = b.rows();
    const late = graphFromRows({ utxoTxs: [...rows].reverse(), complete: b.addresses() });
    for (const model of MODELS)
      for (const direction of ["forward", "backward"] as const)
        expect(await trace(late, { start: "A", labels, model, direction })).toEqual(
          await trace(utxoGraph(b), { start: "A", labels, model, direction }),
        );
  });
});

// ---------------------------------------------------------------------------------------------
// properties on random small graphs, against naive reference implementations

/** Naive forward UTXO taint, per "txid:vout"; fifo on per-satoshi bitmaps. */
function refUtxo(rows: UtxoTx[], model: Model, start: string): Map<string, bigint> {
  const taint = new Map<string, bigint>();
  const bits = new Map<string, Uint8Array>();
  for (const tx of rows) {
    const ins = tx.inputs.filter((i) => !i.isCoinbase);
    const sumIn = ins.reduce((s, i) => s + i.value, 0n);
    const sumOut = tx.outputs.reduce((s, o) => s + o.value, 0n);
    let d = sumIn;
    if (sumOut > d) d = sumOut;
    const sumT = ins.reduce((s, i) => s + (taint.get(`${i.prevTxid}:${i.prevVout}`) ?? 0n), 0n);
    const stream: number[] = [];
    for (const i of ins)
      stream.push(...(bits.get(`${i.prevTxid}:${i.prevVout}`) ?? new Uint8Array(Number(i.value))));
    let cum = 0;
    for (const o of tx.outputs) {
      const key = `${tx.txid}:${o.vout}`;
      const v = Number(o.value);
      let b: Uint8Array;
      if (o.address === start) b = new Uint8Array(v).fill(1);
      else if (model === "fifo") b = Uint8Array.from({ length: v }, (_, k) => stream[cum + k] ?? 0);
      else {
        const t = model === "poison" ? (sumT > 0n ? o.value : 0n) : d === 0n ? 0n : (o.value * sumT) / d;
        b = new Uint8Array(v).fill(1, 0, Number(t));
      }
      cum += v;
      bits.set(key, b);
      taint.set(key, BigInt(b.reduce((s, x) => s + x, 0)));
    }
  }
  return taint;
}

describe("properties (fast-check)", () => {
  it("UTXO: engine equals the naive reference for every model", async () => {
    await fc.assert(
      fc.asyncProperty(
        utxoDagArb,
        fc.constantFrom<Model>("poison", "haircut", "fifo"),
        async (spec, model) => {
          const b = buildDag(spec, true);
          const rows = b.rows();
          const g = graphFromRows({ utxoTxs: rows, complete: b.addresses() });
          const run = await traceRun(g, { start: "a0", model, maxHops: 12, stopAt: [] });
          const ref = refUtxo(rows, model, "a0");
          const prop = run.sweeps[0]!;
          for (const tx of rows)
            for (const o of tx.outputs) {
              const idx = g.outStart[g.utxoTxId(tx.txid)]! + o.vout;
              expect(prop.pieceTaint(idx), `${model} ${b.names.get(tx.txid)}:${o.vout}`).toBe(
                ref.get(`${tx.txid}:${o.vout}`),
              );
            }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("UTXO: haircut and fifo never create value and conserve it minus fees; poison ≥ haircut", async () => {
    await fc.assert(
      fc.asyncProperty(utxoDagArb, async (spec) => {
        const b = buildDag(spec, false); // nothing flows back to the start: every tainted coin is accounted for
        const rows = b.rows();
        const g = graphFromRows({ utxoTxs: rows, complete: b.addresses() });
        const labels = new Map(["a1", "a2", "a3", "a4", "a5"].map((a) => [a, L("scam")]));
        const results: Partial<Record<Model, TraceResult>> = {};
        for (const model of MODELS) {
          const run = await traceRun(g, { start: "a0", model, maxHops: 12, labels });
          results[model] = run.result;
          if (model === "poison") continue;
          const prop = run.sweeps[0]!;
          const t = (txid: string, vout: number) => prop.pieceTaint(g.outStart[g.utxoTxId(txid)]! + vout);
          let start = 0n;
          let resting = 0n;
          let lost = 0n;
          for (const tx of rows) {
            for (const o of tx.outputs) {
              if (o.address === "a0") start += o.value;
              if (o.spentBy === null) resting += t(tx.txid, o.vout);
            }
            const ins = tx.inputs.filter((i) => !i.isCoinbase);
            const tin = ins.reduce((s, i) => s + t(i.prevTxid!, i.prevVout!), 0n);
            const tout = tx.outputs.reduce((s, o) => s + t(tx.txid, o.vout), 0n);
            expect(tout, "never creates value").toBeLessThanOrEqual(
              tin === 0n && ins.length === 0 ? tout : tin,
            );
            if (ins.length === 0) continue;
            const loss = tin - tout;
            lost += loss;
            // fifo: only the fee tail can hold lost taint; haircut: the fee's share plus rounding
            const sumIn = ins.reduce((s, i) => s + i.value, 0n);
            const bound = model === "fifo" ? tx.fee : (tx.fee * tin) / sumIn + BigInt(tx.outputs.length);
            expect(loss).toBeLessThanOrEqual(bound);
          }
          expect(resting + lost, `${model} conservation`).toBe(start);
        }
        const poison = new Map(results.poison!.endpoints.map((e) => [e.address, e.amount]));
        for (const e of results.haircut!.endpoints)
          expect(poison.get(e.address)).toBeGreaterThanOrEqual(e.amount);
        for (const e of results.fifo!.endpoints)
          expect(poison.get(e.address)).toBeGreaterThanOrEqual(e.amount);
      }),
      { numRuns: 300 },
    );
  });

  /** Naive forward account taint per transfer row (delivered), unit bitmaps for fifo. */
  function refAccount(rows: AccountTransfer[], model: Model, start: string): bigint[] {
    const st = new Map<string, { b: bigint; tb: bigint; q: number[]; head: number; tainted: boolean }>();
    const cell = (a: string, asset: string) => {
      const k = `${a}|${asset}`;
      let s = st.get(k);
      if (!s) {
        s = { b: 0n, tb: 0n, q: [], head: 0, tainted: false };
        st.set(k, s);
      }
      return s;
    };
    return rows.map((r) => {
      if (!r.success && r.kind !== "fee") return 0n;
      const s = cell(r.from, r.asset);
      const v = r.value;
      let carried: bigint;
      let units: number[];
      if (model === "poison") {
        carried = s.tainted ? v : 0n;
        units = new Array(Number(v)).fill(s.tainted ? 1 : 0);
      } else if (model === "haircut") {
        if (v > s.b) s.b = v;
        carried = s.tb === 0n ? 0n : v === s.b ? s.tb : (v * s.tb) / s.b;
        s.b -= v;
        s.tb -= carried;
        units = new Array(Number(v)).fill(0).fill(1, 0, Number(carried));
      } else {
        units = [];
        for (let k = 0; k < Number(v); k++) units.push(s.head < s.q.length ? s.q[s.head++]! : 0);
        carried = BigInt(units.filter((x) => x === 1).length);
      }
      const to = r.kind === "fee" ? null : r.to;
      if (to === null) return 0n;
      const d = to === start ? v : carried;
      const rs = cell(to, r.asset);
      rs.b += v;
      rs.tb += d;
      if (d > 0n) rs.tainted = true;
      rs.q.push(...(to === start ? new Array(Number(v)).fill(1) : units));
      return to === start ? v : carried;
    });
  }

  it("account: engine equals the naive reference; cells never create value", async () => {
    await fc.assert(
      fc.asyncProperty(
        accountArb,
        fc.constantFrom<Model>("poison", "haircut", "fifo"),
        async (moves, model) => {
          const e = buildAccount(moves);
          const g = graphFromRows({ transfers: e.rows, complete: e.addresses() });
          const run = await traceRun(g, { start: "a0", model, maxHops: 12, stopAt: [] });
          const ref = refAccount(e.rows, model, "a0");
          const prop = run.sweeps[0]!;
          e.rows.forEach((r, t) => {
            const want = r.to === "a0" && r.kind !== "fee" && r.success ? r.value : ref[t]!;
            expect(prop.pieceTaint(t), `${model} row ${t}`).toBe(want);
          });
          if (model !== "poison") {
            // per (address, asset): taint out ≤ taint in
            const io = new Map<string, bigint>();
            e.rows.forEach((r, t) => {
              const x = prop.pieceTaint(t);
              if (r.to === "a0") return; // pinned start receipts are not sent by the model
              if (r.to && r.kind !== "fee")
                io.set(`${r.to}|${r.asset}`, (io.get(`${r.to}|${r.asset}`) ?? 0n) + x);
              if (r.from !== "a0") io.set(`${r.from}|${r.asset}`, (io.get(`${r.from}|${r.asset}`) ?? 0n) - x);
            });
            for (const [k, v] of io) expect(v, k).toBeGreaterThanOrEqual(0n);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("account backward: attribution never exceeds what was demanded", async () => {
    await fc.assert(
      fc.asyncProperty(accountArb, fc.constantFrom<Model>("haircut", "fifo"), async (moves, model) => {
        const e = buildAccount(moves);
        const g = graphFromRows({ transfers: e.rows, complete: e.addresses() });
        const last = moves.at(-1)!;
        const run = await traceRun(g, {
          start: `a${last.to}`,
          direction: "backward",
          model,
          maxHops: 12,
          stopAt: [],
        });
        const prop = run.sweeps[0]!;
        // per (address, asset) that is not a start: Σ backward taint attributed to its senders ≤ Σ demanded of it
        const io = new Map<string, bigint>();
        e.rows.forEach((r, t) => {
          const x = prop.pieceTaint(t);
          if (x === 0n || !r.to) return;
          io.set(`${r.from}|${r.asset}`, (io.get(`${r.from}|${r.asset}`) ?? 0n) + x);
          if (r.to !== `a${last.to}`) io.set(`${r.to}|${r.asset}`, (io.get(`${r.to}|${r.asset}`) ?? 0n) - x);
        });
        for (const [k, v] of io) expect(v, k).toBeGreaterThanOrEqual(0n);
      }),
      { numRuns: 300 },
    );
  });

  it("budgeted rounds reach the same fixpoint as the eager sweep (hops, minValue, stops)", async () => {
    await fc.assert(
      fc.asyncProperty(
        utxoDagArb,
        accountArb,
        fc.constantFrom<Model>("poison", "haircut", "fifo"),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 5 }),
        async (dag, moves, model, maxHops, minValue, stopAddr) => {
          const labels = new Map([
            [`a${stopAddr}`, L("exchange")],
            [`a${(stopAddr % 5) + 1}`, L("scam")],
          ]);
          const b = buildDag(dag, true);
          const e = buildAccount(moves);
          for (const g of [
            graphFromRows({ utxoTxs: b.rows(), complete: b.addresses() }),
            graphFromRows({ transfers: e.rows, complete: e.addresses() }),
          ])
            for (const direction of ["forward", "backward"] as const) {
              const p: TraceParams = {
                start: "a0",
                model,
                direction,
                maxHops,
                minValue: BigInt(minValue),
                labels,
              };
              expect(await trace(g, { ...p, expansion: "rounds" })).toEqual(await trace(g, p));
            }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("chunked equals whole: rows added in pieces, out of order and twice give the same graph", async () => {
    await fc.assert(
      fc.asyncProperty(
        utxoDagArb,
        accountArb,
        fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
        async (dag, moves, cuts) => {
          const b = buildDag(dag, true);
          const e = buildAccount(moves);
          const utxoTxs = b.rows();
          const transfers = e.rows;
          const complete = [...b.addresses(), ...e.addresses()];
          const whole = graphFromRows({ utxoTxs, transfers, complete });
          const chunked = graphFromRows();
          // a permutation driven by `cuts`, fed in chunks, then everything once more
          const u = [...utxoTxs];
          const t = [...transfers];
          for (const c of cuts) {
            if (u.length > 0) chunked.addRows({ utxoTxs: u.splice(c % u.length, 1 + (c % 3)) });
            if (t.length > 0) chunked.addRows({ transfers: t.splice(c % t.length, 1 + (c % 2)) });
          }
          chunked.addRows({ utxoTxs: u, transfers: t });
          chunked.addRows({ utxoTxs, transfers, complete });
          for (const model of MODELS) {
            const p: TraceParams = { start: "a0", model, labels: new Map([["a3", L("scam")]]) };
            expect(await trace(chunked, p)).toEqual(await trace(whole, p));
            expect(await trace(chunked, { ...p, direction: "backward" })).toEqual(
              await trace(whole, { ...p, direction: "backward" }),
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
