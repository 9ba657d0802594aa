import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { formatAmount } from "../src/core/amount.ts";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { LabelRecord } from "../src/domain.ts";
import type { Services } from "../src/services/index.ts";
import { assetInfo, type FlowTrace, layerLayout } from "../src/services/report/flow.ts";
import { renderReport } from "../src/services/report/html.ts";
import { answerSentences } from "../src/services/report/words.ts";
import { btcServices, startServer } from "./helpers/btc.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

/** Any reference that would make a browser load something: the report must have none. */
const RESOURCE_REF =
  /(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\/|url\(\s*["']?\s*(?:https?:)?\/\/|@import|<script|<link|<iframe|<img|<object|<embed/i;

const label = (address: string, category: string, source: string, name: string): LabelRecord => ({
  chain: "bitcoin",
  address,
  currency: "BTC",
  label: name,
  category,
  source,
  confidence: 90,
  program: null,
  reference: null,
  clusterDefining: false,
});

/** A hand-made trace: start → hop1 → terror wallet (0.25 BTC, three transactions), hop1 → exchange. */
function handTrace(): FlowTrace {
  const hop = (txid: string, from: string, to: string, amount: string) => ({ txid, from, to, amount });
  const T = "19D1iGzDr7FyAdiy3ZZdxMd6ttHj1kj6WW";
  return {
    chain: "bitcoin",
    direction: "forward",
    model: "haircut",
    maxHops: 5,
    start: ["bc1qstart"],
    endpoints: [
      {
        address: T,
        labels: ["Buy Cash Money and Money Transfer Company"],
        categories: ["terrorism_financing"],
        stop: false,
        amount: "25000000",
        asset: "BTC",
        symbol: "BTC",
        decimals: 8,
        hops: 3,
        direct: "0",
        cluster: null,
        paths: [
          {
            hops: [
              hop("t1", "bc1qstart", "bc1qa", "90000000"),
              hop("t2", "bc1qa", "bc1qb", "60000000"),
              hop("t3", "bc1qb", T, "25000000"),
            ],
            bottleneck: "25000000",
          },
        ],
        pathsCapped: false,
      },
      {
        address: "bc1qexchange",
        labels: ["Some Exchange"],
        categories: ["exchange"],
        stop: true,
        amount: "30000000",
        asset: "BTC",
        symbol: "BTC",
        decimals: 8,
        hops: 2,
        direct: "0",
        cluster: null,
        paths: [
          {
            hops: [
              hop("t1", "bc1qstart", "bc1qa", "90000000"),
              hop("t2", "bc1qa", "bc1qexchange", "30000000"),
            ],
            bottleneck: "30000000",
          },
        ],
        pathsCapped: false,
      },
    ],
    nodes: [
      {
        address: "bc1qstart",
        asset: "BTC",
        amount: "100000000",
        hop: 0,
        labels: [],
        categories: [],
        stop: false,
        start: true,
        expanded: true,
      },
      {
        address: "bc1qa",
        asset: "BTC",
        amount: "90000000",
        hop: 1,
        labels: [],
        categories: [],
        stop: false,
        start: false,
        expanded: true,
      },
      {
        address: "bc1qb",
        asset: "BTC",
        amount: "60000000",
        hop: 2,
        labels: [],
        categories: [],
        stop: false,
        start: false,
        expanded: true,
      },
      {
        address: "bc1qexchange",
        asset: "BTC",
        amount: "30000000",
        hop: 2,
        labels: ["Some Exchange"],
        categories: ["exchange"],
        stop: true,
        start: false,
        expanded: false,
      },
      {
        address: T,
        asset: "BTC",
        amount: "25000000",
        hop: 3,
        labels: ["Buy Cash Money and Money Transfer Company"],
        categories: ["terrorism_financing"],
        stop: false,
        start: false,
        expanded: true,
      },
    ],
    edges: [
      { from: "bc1qstart", to: "bc1qa", txid: "t1", asset: "BTC", amount: "90000000", hop: 1 },
      { from: "bc1qa", to: "bc1qb", txid: "t2", asset: "BTC", amount: "60000000", hop: 2 },
      { from: "bc1qa", to: "bc1qexchange", txid: "t2", asset: "BTC", amount: "30000000", hop: 2 },
      { from: "bc1qb", to: T, txid: "t3", asset: "BTC", amount: "25000000", hop: 3 },
    ],
    stats: {
      addressesVisited: 4,
      addressesReached: 4,
      txsVisited: 3,
      truncated: false,
      missing: { txids: [], addresses: [], addressCount: 0 },
      requests: 0,
      rounds: 1,
      gaps: [],
    },
  };
}

describe("report wording and picture (pure)", () => {
  const r = handTrace();
  const T = r.endpoints[0]!.address;
  const labels = new Map([[T, [label(T, "terrorism_financing", "NBCTF ASO 44/21", "Buy Cash Money")]]]);

  it("answers first in plain words: amount, who listed the wallet, how many transactions later", () => {
    const said = answerSentences(r, (a) => labels.get(a) ?? [], assetInfo(r));
    expect(said[0]).toBe(
      "0.25000000 BTC of the wallet's funds reached a wallet listed by Israel's NBCTF for terror financing, three transactions later.",
    );
    expect(said[1]).toBe(
      "0.30000000 BTC of the wallet's funds reached the exchange Some Exchange, two transactions later.",
    );
    const back = answerSentences({ ...r, direction: "backward" }, (a) => labels.get(a) ?? [], assetInfo(r));
    expect(back[0]).toBe(
      "0.25000000 BTC of the funds that reached the wallet came from a wallet listed by Israel's NBCTF for terror financing, three transactions earlier.",
    );
  });

  it("never a false clean: no labelled endpoint with missing data says so", () => {
    const clean: FlowTrace = {
      ...r,
      endpoints: [],
      stats: { ...r.stats, truncated: true, missing: { txids: ["tx9"], addresses: [], addressCount: 0 } },
    };
    const html = renderReport({
      result: clean,
      params: { chain: "bitcoin", addresses: ["bc1qstart"] },
      generatedAt: "2026-01-01T00:00:00Z",
      version: "t",
      resultSha256: "00",
      responses: [],
      unsourced: [],
      labels: new Map(),
    });
    expect(html).toContain(
      "No labelled wallet was found within five transactions of where the funds went, as far as fundtrace could see.",
    );
    expect(html).toContain("The trace was cut short by its address budget");
    expect(html).toContain("fundtrace could not load 1 transaction");
  });

  it("lays nodes out one column per hop, mirrored for backward traces", () => {
    const nodes = r.nodes.map((n) => ({ id: n.address, hop: n.hop }));
    const edges = r.edges.map((e) => ({ from: e.from, to: e.to }));
    const fwd = layerLayout(nodes, edges);
    expect(r.nodes.map((n) => fwd.get(n.address)!.column)).toEqual([0, 1, 2, 2, 3]);
    const back = layerLayout(nodes, edges, { mirror: true });
    expect(r.nodes.map((n) => back.get(n.address)!.column)).toEqual([3, 2, 1, 1, 0]);
    // rows in a column are a permutation of 0..n-1
    expect([fwd.get("bc1qb")!.row, fwd.get("bc1qexchange")!.row].sort()).toEqual([0, 1]);
  });

  it("escapes what label lists say (a label is third-party text)", () => {
    const evil: FlowTrace = {
      ...r,
      endpoints: [{ ...r.endpoints[0]!, labels: ['<img src=x onerror="alert(1)">'] }],
    };
    const html = renderReport({
      result: evil,
      params: { chain: "bitcoin", addresses: ["bc1qstart"] },
      generatedAt: "2026-01-01T00:00:00Z",
      version: "t",
      resultSha256: "00",
      responses: [],
      unsourced: [],
      labels: new Map(),
    });
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });
});

describe("trace --format html on a real store", () => {
  const dir = tempDir();
  const c = new DevChain({ seed: "report" });
  const V = c.wallet("vendor").address();
  const E = c.wallet("exchange").address();
  const T = c.wallet("terror").address();
  const hop1 = c.wallet("hop1");
  const u = c.fund(V, 2_000_000n);
  c.mine();
  c.send({
    from: [u],
    to: [
      { address: hop1.address(), value: 1_500_000n },
      { address: T, value: 499_000n },
    ],
    fee: 1_000n,
  });
  c.mine();
  c.send({ from: hop1, to: [{ address: E, value: 1_499_000n }], fee: 1_000n });
  c.mine();
  let server: EsploraServer;
  let s: Services;
  const db = join(dir, "report.duckdb");
  beforeAll(async () => {
    server = await startServer(c);
    s = await btcServices(dir, "report", server.url);
    await s.labels.importBytes(
      Buffer.from(
        [
          "chain,address,label,category,source,confidence,program,reference,cluster_defining",
          `bitcoin,${E},Test Exchange,exchange,test exchange pack,50,,,false`,
          `bitcoin,${T},Listed Financier,terrorism_financing,NBCTF ASO 1/25,90,,ASO 1/25,false`,
        ].join("\n"),
      ),
      "l.csv",
      { format: "csv", dataset: "report" }, // two sources: one dataset named here
    );
    // fetched here, so each test below reads the same stored data whatever order they run in
    await s.traces.trace({ chain: "bitcoin", addresses: [V], maxHops: 4 });
    s.close();
  });
  afterAll(async () => {
    await server?.close();
  });
  const base = () => ["--db", db, "--no-default-labels", "--esplora-url", server.url];

  it("is one self-contained file naming the wallet, with the JSON result's amounts and every upstream hash", async () => {
    const json = await runCli([...base(), "--json", "trace", "bitcoin", V, "--hops", "4"]);
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout);
    const out = join(dir, "pkg");
    const html = await runCli([
      ...base(),
      "trace",
      "bitcoin",
      V,
      "--hops",
      "4",
      "--format",
      "html",
      "--evidence",
      out,
    ]);
    expect(html.code).toBe(0);
    const doc = html.stdout;
    expect(doc.startsWith("<!doctype html>")).toBe(true);
    expect(doc).not.toMatch(RESOURCE_REF);
    expect(doc).toContain(V);
    expect(doc).toContain(
      "0.00499000 BTC of the wallet's funds reached a wallet listed by Israel's NBCTF for terror financing, one transaction later.",
    );
    expect(r.endpoints.length).toBe(2);
    for (const e of r.endpoints) {
      const row = new RegExp(
        `<tr data-address="${e.address}" data-asset="${e.asset}">.*?data-amount="(\\d+)">([^<]*)<`,
      ).exec(doc);
      expect(row?.[1]).toBe(e.amount);
      expect(row?.[2]).toBe(formatAmount(e.amount, e.decimals, e.symbol));
    }
    // the same report sits in the evidence package, checked by SHA256SUMS, with every upstream hash
    const pkg = JSON.parse(await readFile(join(out, "evidence.json"), "utf8"));
    const inPkg = await readFile(join(out, "report.html"), "utf8");
    expect(pkg.responses.length).toBeGreaterThan(0);
    for (const x of pkg.responses) expect(inPkg).toContain(x.sha256);
    expect(inPkg).toContain(pkg.resultSha256);
    expect(await readFile(join(out, "SHA256SUMS"), "utf8")).toMatch(/ {2}report\.html$/m);
    expect(inPkg).toContain("NBCTF ASO 1/25");
  });

  it("POST /v1/trace/export answers the report, the picture, the endpoints and the graph", async () => {
    const { loadConfig } = await import("../src/config.ts");
    const { createServices } = await import("../src/services/index.ts");
    const s2 = await createServices(loadConfig({ db, defaultLabels: false, offline: true }, {}));
    try {
      const app = createApp(s2);
      const body = JSON.stringify({ chain: "bitcoin", address: V, maxHops: 4 });
      const ask = (format: string) =>
        app.request(`/v1/trace/export?format=${format}`, {
          method: "POST",
          body,
          headers: { "content-type": "application/json" },
        });
      const html = await ask("html");
      expect(html.status).toBe(200);
      expect(html.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const text = await html.text();
      expect(text).not.toMatch(RESOURCE_REF);
      expect(text).toContain("Listed Financier");
      const svg = await ask("svg");
      expect(svg.headers.get("content-type")).toContain("image/svg+xml");
      expect(await svg.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect((await (await ask("csv")).text()).split("\n")[0]).toBe(
        "address,categories,labels,stop,amount,base_units,asset,symbol,decimals,hops,paths",
      );
      expect(await (await ask("graphml")).text()).toContain("<graphml");
      expect((await ask("pdf")).status).toBe(400);
    } finally {
      s2.close();
    }
  });
});
