import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { loadConfig } from "../src/config.ts";
import { TronDevChain, type TronToken, USDT_CONTRACT } from "../src/devchain/tron.ts";
import { startTronServer, type TronServer } from "../src/devchain/tron-server.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { runCli } from "./helpers/cli.ts";
import { bundled } from "./helpers/fixtures.ts";
import { tempDir } from "./helpers/tmp.ts";

// real labelled addresses from the bundled label set
const NBCTF = "TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnJ"; // Israel NBCTF seizure order ASO 18/26
const BINANCE = "TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi"; // GraphSense: binance reserve wallets (TRX)
const USD = 1_000_000n;
const TRX = 1_000_000n;

interface Story {
  chain: TronDevChain;
  usdt: TronToken;
  fake: TronToken;
  s: string;
  a: string;
  b: string;
  w1: string;
  w2: string;
  deposit: string;
  tx: Record<"sToA" | "aToB" | "bToN" | "w2ToD" | "sweep", string>;
}

/**
 * S (flagged) sends 1,000 USDT to A; then C sends A 3,000 clean USDT and a spammer sends A 5,000 fake
 * "USDT"; A sends 2,000 USDT to B and the 5,000 fake to the NBCTF-listed N; B sends its 2,000 to N.
 * Two customers W1, W2 pay an exchange deposit address D, which the exchange tops up with TRX and
 * sweeps (the exact sum) to Binance's hot wallet.
 */
function story(): Story {
  const c = new TronDevChain({ seed: "trace-story" });
  const n = (x: string) => c.address(x);
  const [faucet, issuer, s, cl, a, b, spammer, w1, w2, deposit] = [
    "faucet",
    "issuer",
    "S",
    "C",
    "A",
    "B",
    "spammer",
    "W1",
    "W2",
    "D",
  ].map(n) as [string, string, string, string, string, string, string, string, string, string];
  c.fund(faucet, 10n ** 12n);
  c.fund(issuer, 10n ** 12n);
  const usdt = c.addToken({ contract: USDT_CONTRACT, symbol: "USDT", name: "Tether USD", decimals: 6 });
  const fake = c.addToken({ symbol: "USDT", name: "Tether USD", decimals: 6 });
  for (const x of [s, cl, a, b, spammer, w1, w2, BINANCE]) c.sendTrx(faucet, x, 500n * TRX);
  c.mintToken(usdt, issuer, s, 1_000n * USD);
  c.mintToken(usdt, issuer, cl, 3_000n * USD);
  c.mintToken(fake, issuer, spammer, 10_000n * USD);
  c.mintToken(usdt, issuer, w1, 700n * USD);
  c.mintToken(usdt, issuer, w2, 300n * USD);
  c.mine();
  const sToA = c.sendToken(usdt, s, a, 1_000n * USD);
  c.mine();
  c.sendToken(usdt, cl, a, 3_000n * USD);
  c.mine({ skipSlots: 1 });
  c.sendToken(fake, spammer, a, 5_000n * USD);
  c.mine();
  const aToB = c.sendToken(usdt, a, b, 2_000n * USD);
  c.sendToken(fake, a, NBCTF, 5_000n * USD);
  c.mine();
  const bToN = c.sendToken(usdt, b, NBCTF, 2_000n * USD);
  c.mine();
  c.sendToken(usdt, w1, deposit, 700n * USD);
  c.mine();
  const w2ToD = c.sendToken(usdt, w2, deposit, 300n * USD);
  c.mine();
  c.sendTrx(BINANCE, deposit, 30n * TRX);
  c.mine();
  const sweep = c.sendToken(usdt, deposit, BINANCE, 1_000n * USD);
  c.mine();
  c.mineEmpty(2);
  return { chain: c, usdt, fake, s, a, b, w1, w2, deposit, tx: { sToA, aToB, bToN, w2ToD, sweep } };
}

const dir = tempDir();
let st: Story;
let srv: TronServer;
let svc: Services;

beforeAll(async () => {
  st = story();
  srv = await startTronServer(st.chain);
  svc = await createServices(
    loadConfig(
      { db: join(dir, "trace.duckdb"), defaultLabels: false, tronUrl: srv.url },
      { FUNDTRACE_RPS: "2000", FUNDTRACE_EVM_CONFIRMATIONS: "0", FUNDTRACE_RETRY_BASE_MS: "2" },
    ),
  );
  await svc.labels.importFile(bundled("nbctf/il_nbctf_seizure_orders_wallets.csv"), "nbctf");
  await svc.labels.importFile(bundled("exchanges/exchange-wallets-binance.yaml"), "tagpack");
});
afterAll(async () => {
  svc?.close();
  await srv?.close();
});

describe("Tron traces, exposure, clustering", () => {
  it("forward traces from S give the hand-computed amounts at the NBCTF-listed address under each model", async () => {
    // poison: all 2,000 A sent on is tainted. haircut: A held 1,000 tainted of 4,000, so 2,000 carry 500.
    // FIFO: A's first 1,000 in were tainted, so its 2,000 out carry 1,000.
    const want = { poison: 2_000n * USD, haircut: 500n * USD, fifo: 1_000n * USD };
    for (const model of ["poison", "haircut", "fifo"] as const) {
      const r = await svc.traces.trace({ chain: "tron", addresses: [st.s], model, maxHops: 4 });
      const at = r.endpoints.filter((e) => e.address === NBCTF);
      expect(at, model).toHaveLength(1);
      expect(at[0]).toMatchObject({
        amount: want[model],
        asset: USDT_CONTRACT,
        symbol: "USDT",
        decimals: 6,
        hops: 3,
      });
      expect(at[0]!.categories).toContain("terrorism_financing");
      expect(at[0]!.paths[0]!.hops.map((h) => h.txid)).toEqual([st.tx.sToA, st.tx.aToB, st.tx.bToN]);
      // the fake "USDT" never carries S's taint
      expect(r.endpoints.some((e) => e.asset === st.fake.contract)).toBe(false);
    }
  });

  it("exposure keeps the fake USDT apart from USDT: its own asset, its own share", async () => {
    const e = await svc.traces.exposure("tron", st.a, { hops: 2, direction: "out", model: "haircut" });
    const tf = (x: { category: string }) => x.category === "terrorism_financing";
    // the fake reaches the listed address directly (hop 1), USDT through B (hop 2): never summed
    expect(e.direct.filter(tf)).toEqual([
      expect.objectContaining({ asset: st.fake.contract, amount: 5_000n * USD, share: "1.0000" }),
    ]);
    expect(e.indirect.filter(tf)).toEqual([
      expect.objectContaining({ asset: USDT_CONTRACT, amount: 2_000n * USD, share: "0.5000" }),
    ]);
    expect(e.totals.filter((t) => t.direction === "out").map((t) => [t.asset, t.amount])).toEqual(
      expect.arrayContaining([
        [USDT_CONTRACT, 4_000n * USD],
        [st.fake.contract, 5_000n * USD],
      ]),
    );
  });

  it("address stats list USDT and the fake as two assets", async () => {
    await svc.ingest.ingest("tron", [st.a]);
    const info = await svc.addresses.info("tron", st.a);
    const usdt = info.assets!.find((x) => x.asset === USDT_CONTRACT);
    const fake = info.assets!.find((x) => x.asset === st.fake.contract);
    expect(usdt).toMatchObject({
      symbol: "USDT",
      received: "4000000000",
      sent: "2000000000",
      balance: "2000000000",
    });
    expect(fake).toMatchObject({ symbol: "USDT", received: "5000000000", sent: "5000000000", balance: "0" });
    expect(info.stats.asset).toBe("TRX");
  });

  it("clusters two customers of one exchange deposit address, with the deposit address and sweep as evidence", async () => {
    await svc.ingest.ingest("tron", [st.deposit, st.w1, st.w2]);
    const r = await svc.clusters.cluster("tron");
    expect(r.depositAddresses).toEqual([{ address: st.deposit, exchange: "binance", forwards: 1 }]);
    const c = await svc.clusters.show("tron", st.w1);
    expect([...c.members].sort()).toEqual([st.w1, st.w2].sort());
    expect(c.members).not.toContain(st.deposit);
    expect(c.evidence).toEqual([
      expect.objectContaining({
        txid: st.tx.w2ToD,
        heuristic: `deposit-address:${st.deposit}:${st.tx.sweep}`,
      }),
    ]);
    // the deposit address belongs to the exchange: it is in no customer's cluster
    expect([...(await svc.clusters.partition("tron")).keys()].sort()).toEqual([st.w1, st.w2].sort());
    expect((await svc.clusters.show("tron", st.deposit)).size).toBe(1);
  });

  it("answers the API with chain tron: address, trace, exposure, screen, saved queries, cases, evidence", async () => {
    const app = createApp(svc);
    const json = (path: string, body?: unknown) =>
      app.request(
        path,
        body === undefined
          ? {}
          : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      );
    const addr = await json(`/v1/addresses/tron/${st.b}`);
    expect(addr.status).toBe(200);
    const trace = await json("/v1/trace", { chain: "tron", addresses: [st.s], model: "haircut", maxHops: 4 });
    expect(trace.status).toBe(200);
    const t = (await trace.json()) as any;
    expect(t.endpoints.find((e: any) => e.address === NBCTF).amount).toBe("500000000");
    const exp = await json(`/v1/addresses/tron/${st.s}/exposure?hops=3&direction=out`);
    expect(exp.status).toBe(200);
    expect(((await exp.json()) as any).risk.band).toMatch(/high|severe/);
    const scr = await json("/v1/screen", {
      items: [{ chain: "tron", address: NBCTF }],
      exposure: { hops: 2 },
    });
    expect(scr.status).toBe(200);
    const saved = await json("/v1/queries", {
      name: "tron-s",
      params: { chain: "tron", addresses: [st.s], model: "fifo", maxHops: 4 },
    });
    expect(saved.status).toBe(201);
    const run = (await (await json("/v1/queries/tron-s/run", {})).json()) as any;
    expect(run.endpoints.find((e: any) => e.address === NBCTF).amount).toBe("1000000000");
    expect((await json("/v1/cases", { name: "tron-case", title: "Tron donations" })).status).toBe(201);
    const w = await json("/v1/cases/tron-case/wallets", { chain: "tron", address: st.s, label: "collector" });
    expect(w.status).toBe(201);
    expect(((await w.json()) as any).address).toBe(st.s);
    const ev = (await (
      await json("/v1/evidence", { chain: "tron", addresses: [st.s], model: "poison", maxHops: 4 })
    ).json()) as any;
    expect(ev.responses.length).toBeGreaterThan(0);
    expect(ev.responses.every((r: any) => r.source === "trongrid" && /^[0-9a-f]{64}$/.test(r.sha256))).toBe(
      true,
    );
    expect(ev.unsourced).toEqual([]);
  });

  it("the CLI screens a Tron address with --exposure-hops, fetching what it reaches", {
    tags: ["slow"],
  }, async () => {
    const env = { ...process.env };
    Object.assign(process.env, { FUNDTRACE_EVM_CONFIRMATIONS: "0", FUNDTRACE_RPS: "2000" });
    try {
      const r = await runCli(
        [
          "--db",
          join(dir, "screen.duckdb"),
          "--json",
          "--tron-url",
          srv.url,
          "screen",
          "--exposure-hops",
          "2",
        ],
        `tron,${st.a}\n`,
      );
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      const item = out.results?.[0] ?? out.items?.[0] ?? out[0];
      const entries = JSON.stringify(item);
      expect(entries).toContain(st.fake.contract);
      expect(entries).toContain("terrorism_financing");
    } finally {
      process.env = env;
    }
  });
});
