import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { Services } from "../src/services/index.ts";
import type { ScreenResult } from "../src/services/screen.ts";
import { traceCsv, traceGraphml, traceTable } from "../src/services/trace-format.ts";
import { btcServices, startServer } from "./helpers/btc.ts";
import { tempDir } from "./helpers/tmp.ts";

/**
 * Issue 17, points 1-4: an answer never says clean about what it did not see, shows amounts with
 * decimals and symbol, carries block height and time on every edge and step (and honours
 * since/until), traces a wallet (its cluster), and shows a backward trace's sources.
 */

const dir = tempDir();
const c = new DevChain({ seed: "answers" });
const v1 = c.wallet("vendor1");
const v2 = c.wallet("vendor2");
const hop = c.wallet("hop");
const V1 = v1.address();
const V2 = v2.address();
const H = hop.address();
const E = c.wallet("exchange").address();
const T = c.wallet("terror").address();
const NEVER = c.wallet("never-seen").address();
const u1 = c.fund(V1, 1_000_000n);
const u2 = c.fund(V2, 400_000n);
c.mine();
// both vendor addresses spend together: one owner (multi-input)
c.send({ from: [u1, u2], to: [{ address: H, value: 1_399_000n }], fee: 1_000n });
c.mine();
c.send({
  from: hop,
  to: [
    { address: E, value: 1_000_000n },
    { address: T, value: 398_000n },
  ],
  fee: 1_000n,
});
c.mine();

let server: EsploraServer;
let s: Services;

beforeAll(async () => {
  server = await startServer(c);
  s = await btcServices(dir, "answers", server.url);
  await s.labels.importBytes(
    Buffer.from(
      "chain,address,label,category,source,confidence,program,reference,cluster_defining\n" +
        `bitcoin,${E},Test Exchange,exchange,test,50,,,false\n` +
        `bitcoin,${T},Terror wallet,terrorism_financing,test,60,SDGT,ref-1,false\n`,
    ),
    "labels.csv",
    "csv",
  );
  await s.ingest.ingest("bitcoin", [V1, V2, H]);
  await s.clusters.cluster("bitcoin");
});
afterAll(async () => {
  s?.close();
  await server?.close();
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe("never a false clean", () => {
  it("an address with no stored history and nothing fetched is UNKNOWN with the reason, never none", async () => {
    const r = await s.traces.exposure("bitcoin", NEVER, { hops: 2, fetch: false });
    expect(r.risk.band).toBe("unknown");
    expect(r.risk.reasons[0]).toContain("no stored history");
    expect(r.coverage.complete).toBe(false);
    expect(r.coverage.unknown.map((u) => u.address)).toEqual([NEVER]);
    const t = await s.traces.trace({ chain: "bitcoin", addresses: [NEVER], fetch: false });
    expect(t.stats.coverage.unknown.map((u) => u.address)).toEqual([NEVER]);
    expect(traceTable(t)).toContain(`UNKNOWN ${NEVER}`);
  });

  it("a source that cannot be reached gives UNKNOWN with its failure, in screening with exposure too", async () => {
    const down = await btcServices(dir, "down", "http://127.0.0.1:1");
    try {
      const r = await down.traces.exposure("bitcoin", NEVER, { hops: 2 });
      expect(r.risk.band).toBe("unknown");
      expect(r.coverage.notes.some((n) => n.startsWith(`could not fetch ${NEVER}`))).toBe(true);
      const sc = await down.screen.screen([{ chain: "bitcoin", address: NEVER }], { exposureHops: 2 });
      expect((sc.results[0] as ScreenResult).risk.band).toBe("unknown");
    } finally {
      down.close();
    }
  });

  it("an ingested address with full coverage keeps its band and says the coverage is complete", async () => {
    const r = await s.traces.exposure("bitcoin", H, { hops: 2, direction: "out", fetch: false });
    expect(r.risk.band).not.toBe("unknown");
    expect(r.coverage).toEqual({ complete: true, unknown: [], notes: [] });
  });
});

describe("amounts people can read", () => {
  it("exposure entries carry symbol and decimals; trace table, CSV and GraphML show 0.01000000 BTC", async () => {
    const x = await s.traces.exposure("bitcoin", H, { hops: 2, direction: "out", fetch: false });
    expect(x.direct.find((e) => e.category === "exchange")).toMatchObject({
      amount: 1_000_000n,
      symbol: "BTC",
      decimals: 8,
    });
    const t = await s.traces.trace({ chain: "bitcoin", addresses: [H], fetch: false });
    expect(traceTable(t)).toContain("0.01000000 BTC  hop 1");
    expect(traceTable(t)).not.toContain("base units");
    const csv = traceCsv(t).split("\n");
    expect(csv[0]).toBe("address,categories,labels,stop,amount,base_units,asset,symbol,decimals,hops,paths");
    expect(csv.find((l) => l.startsWith(E))).toContain(",0.01000000 BTC,1000000,BTC,BTC,8,1,");
    expect(traceGraphml(t)).toContain(
      '<data key="eamount">0.01000000 BTC</data><data key="ebase">1000000</data>',
    );
  });
});

describe("chronology", () => {
  it("every edge and path step has its block height and UTC time; full txids in CSV", async () => {
    const t = await s.traces.trace({ chain: "bitcoin", addresses: [V1], fetch: false });
    expect(t.edges.length).toBeGreaterThan(0);
    for (const e of t.edges) {
      expect(typeof e.height).toBe("number");
      expect(e.time).toMatch(ISO);
    }
    const steps = t.endpoints.flatMap((e) => e.paths.flatMap((p) => p.hops));
    expect(steps.length).toBeGreaterThan(0);
    for (const h of steps) expect(h.time).toMatch(ISO);
    for (const h of steps) expect(traceCsv(t)).toContain(`>${h.txid}>${h.to}@${h.height}/${h.time}`);
  });

  it("--until before the cash-out leaves the exchange and the terror wallet out; --since after the start, all", async () => {
    const all = await s.traces.trace({ chain: "bitcoin", addresses: [V1], fetch: false });
    const first = all.edges.find((e) => e.to === H)!;
    const until = await s.traces.trace({
      chain: "bitcoin",
      addresses: [V1],
      fetch: false,
      until: first.time!,
    });
    expect(all.endpoints.map((e) => e.address).sort()).toEqual([E, T].sort());
    expect(until.endpoints).toEqual([]);
    expect(until.window).toMatchObject({ until: first.time, toHeight: first.height });
    const x = await s.traces.exposure("bitcoin", V1, {
      hops: 3,
      direction: "out",
      fetch: false,
      until: first.time!,
    });
    expect(x.direct.length + x.indirect.length).toBe(0);
    await expect(
      s.traces.trace({ chain: "bitcoin", addresses: [V1], fetch: false, since: "last week" }),
    ).rejects.toMatchObject({ code: "BAD_INPUT" });
  });
});

describe("trace a wallet", () => {
  it("cluster: true starts from every member of the address's cluster", async () => {
    const one = await s.traces.trace({ chain: "bitcoin", addresses: [V2], fetch: false });
    const wallet = await s.traces.trace({ chain: "bitcoin", addresses: [V2], fetch: false, cluster: true });
    expect(wallet.start.sort()).toEqual([V1, V2].sort());
    expect(wallet.clusters).toEqual([{ address: V2, clusterId: expect.any(String), members: 2 }]);
    const ex = (r: typeof one) => r.endpoints.find((e) => e.address === E)!.amount;
    expect(ex(wallet)).toBeGreaterThan(ex(one));
    expect(traceTable(wallet)).toContain("2 addresses, all traced");
  });

  it("a backward trace shows its sources, unlabelled included, with amounts, in the table", async () => {
    const b = await s.traces.trace({
      chain: "bitcoin",
      addresses: [T],
      direction: "backward",
      maxHops: 2,
      fetch: false,
    });
    expect(b.sources.map((x) => x.address).sort()).toEqual([V1, V2].sort());
    const text = traceTable(b);
    expect(text).toContain("2 sources");
    expect(text).toMatch(new RegExp(`0\\.\\d{8} BTC  hop 2  ${V1}  unlabelled`));
  });
});
