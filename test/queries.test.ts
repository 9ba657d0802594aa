import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { Services } from "../src/services/index.ts";
import { btcServices, startServer } from "./helpers/btc.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
const c = new DevChain({ seed: "saved-query" });
const shop = c.wallet("shop");
const V = c.wallet("vendor").address();
const E = c.wallet("exchange").address();
const hop1 = c.wallet("hop1");
const u = c.fund(V, 1_000_000n);
c.mine();
const t1 = c.send({
  from: [u],
  to: [
    { address: hop1.address(), value: 900_000n },
    { address: shop.address(), value: 99_000n },
  ],
  fee: 1_000n,
});
c.mine();
const t2 = c.send({ from: hop1, to: [{ address: E, value: 899_000n }], fee: 1_000n });
c.mine();

let server: EsploraServer;
let s: Services;
// the API test's own database, holding a query saved before it starts
let api: Services;
beforeAll(async () => {
  server = await startServer(c);
  api = await btcServices(dir, "queries-api", server.url);
  await api.queries.save("vendor-out", { chain: "bitcoin", addresses: [V], model: "haircut", maxHops: 4 });
  s = await btcServices(dir, "queries", server.url);
  await s.labels.importBytes(
    Buffer.from(
      `chain,address,label,category,source,confidence,program,reference,cluster_defining\nbitcoin,${E},Test Exchange,exchange,test,50,,,false\n`,
    ),
    "e.csv",
    "csv",
  );
});
afterAll(async () => {
  s?.close();
  api?.close();
  await server?.close();
});

describe("saved trace queries", () => {
  it("a rerun shows exactly the new flow into the exchange and its amount, nothing else", async () => {
    await s.queries.save("vendor-out", { chain: "bitcoin", addresses: [V], model: "haircut", maxHops: 4 });
    const first = await s.queries.run("vendor-out");
    expect(first.diff).toBeNull();
    expect(first.endpoints).toEqual([
      {
        address: E,
        asset: "BTC",
        amount: "899000",
        symbol: "BTC",
        decimals: 8,
        hops: 2,
        categories: ["exchange"],
        paths: [`${t1.txid}>${t2.txid}`],
      },
    ]);
    // the shop now moves its tainted 99,000 sat to the exchange
    const t3 = c.send({ from: shop, to: [{ address: E, value: 98_000n }], fee: 1_000n });
    c.mine();
    const second = await s.queries.run("vendor-out");
    expect(second.diff).toEqual({
      newEndpoints: [],
      changedAmounts: [
        {
          address: E,
          asset: "BTC",
          symbol: "BTC",
          decimals: 8,
          previous: "899000",
          current: "997000",
          delta: "98000",
        },
      ],
      newPaths: [{ address: E, asset: "BTC", path: `${t1.txid}>${t3.txid}` }],
      goneEndpoints: [],
    });
    expect(second.digest).not.toBe(first.digest);
    const runs = await s.queries.runs("vendor-out");
    expect(runs.map((r) => r.id)).toEqual([second.id, first.id]);
  });

  it("from the CLI: query save NAME -- TRACE_ARGS, run, list, show", async () => {
    const { runCli } = await import("./helpers/cli.ts");
    const { join } = await import("node:path");
    const base = ["--db", join(dir, "cli-q.duckdb"), "--no-default-labels", "--esplora-url", server.url];
    const saved = await runCli([
      ...base,
      "query",
      "save",
      "cli-q",
      "--",
      "bitcoin",
      V,
      "--hops",
      "4",
      "--model",
      "fifo",
    ]);
    expect(saved.stderr).toBe("");
    expect(saved.code).toBe(0);
    const { writeFileSync } = await import("node:fs");
    const labels = join(dir, "cli-q-labels.csv");
    writeFileSync(
      labels,
      `chain,address,label,category,source,confidence\nbitcoin,${E},Test Exchange,exchange,test,50\n`,
    );
    expect((await runCli([...base, "labels", "import", labels])).code).toBe(0);
    const run = await runCli([...base, "query", "run", "cli-q"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("first run");
    // amounts with the asset's decimals and symbol, never base units labelled as the asset
    // 899,000 sat, or 997,000 once the other test has moved the shop's coins (tests run shuffled)
    expect(run.stdout).toMatch(new RegExp(`${E} {2}0\\.00(899|997)000 BTC {2}hop 2 {2}exchange`));
    expect(run.stdout).not.toContain("base units");
    const again = await runCli([...base, "--json", "query", "run", "cli-q"]);
    expect(JSON.parse(again.stdout).diff).toEqual({
      newEndpoints: [],
      changedAmounts: [],
      newPaths: [],
      goneEndpoints: [],
    });
    const list = await runCli([...base, "--json", "query", "list"]);
    expect(JSON.parse(list.stdout).queries[0]).toMatchObject({
      name: "cli-q",
      runs: 2,
      params: { model: "fifo", maxHops: 4 },
    });
    const show = await runCli([...base, "query", "show", "cli-q"]);
    expect(show.stdout.split("\n").filter((l) => l.includes("run ")).length).toBe(2);
    expect((await runCli([...base, "query", "save", "x", "--", "bitcoin", V, "--hops", "30"])).code).toBe(2);
  });

  it("over the API: save, list, run, runs; bad names and duplicates are refused", async () => {
    const app = createApp(api);
    const post = (path: string, body: unknown) =>
      app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect(
      (await post("/v1/queries", { name: "api-q", params: { chain: "bitcoin", addresses: [V] } })).status,
    ).toBe(201);
    expect(
      (await post("/v1/queries", { name: "api-q", params: { chain: "bitcoin", addresses: [V] } })).status,
    ).toBe(409);
    expect(
      (await post("/v1/queries", { name: "bad name!", params: { chain: "bitcoin", addresses: [V] } })).status,
    ).toBe(400);
    expect(
      (await post("/v1/queries", { name: "deep", params: { chain: "bitcoin", addresses: [V], maxHops: 40 } }))
        .status,
    ).toBe(400);
    const list = (await (await app.request("/v1/queries")).json()) as any;
    expect(list.queries.map((q: any) => q.name)).toEqual(["api-q", "vendor-out"]);
    const run = await post("/v1/queries/api-q/run", {});
    expect(run.status).toBe(200);
    const runs = (await (await app.request("/v1/queries/api-q/runs")).json()) as any;
    expect(runs.runs).toHaveLength(1);
    expect((await post("/v1/queries/nope/run", {})).status).toBe(404);
  });
});
