import { createHash } from "node:crypto";
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { keyId } from "../src/api/auth.ts";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { Services } from "../src/services/index.ts";
import { btcServices, startServer } from "./helpers/btc.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
const c = new DevChain({ seed: "evidence" });
const V = c.wallet("vendor").address();
const E = c.wallet("exchange").address();
const T = c.wallet("terror").address();
const hop1 = c.wallet("hop1");
const u = c.fund(V, 2_000_000n);
c.mine();
const t1 = c.send({
  from: [u],
  to: [
    { address: hop1.address(), value: 1_500_000n },
    { address: T, value: 499_000n },
  ],
  fee: 1_000n,
});
c.mine();
const t2 = c.send({ from: hop1, to: [{ address: E, value: 1_499_000n }], fee: 1_000n });
c.mine();

const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");
let server: EsploraServer;
let s: Services;
beforeAll(async () => {
  server = await startServer(c);
  s = await btcServices(dir, "evidence", server.url);
  await s.labels.importBytes(
    Buffer.from(
      [
        "chain,address,label,category,source,confidence,program,reference,cluster_defining",
        `bitcoin,${E},Test Exchange,exchange,test,50,,,false`,
        `bitcoin,${T},Listed Financier,terrorism,test,60,SDGT,,false`,
      ].join("\n"),
    ),
    "l.csv",
    "csv",
  );
  await s.queries.save("vendor", { chain: "bitcoin", addresses: [V], model: "haircut", maxHops: 4 });
  await s.queries.run("vendor");
});
afterAll(async () => {
  s?.close();
  await server?.close();
});

describe("evidence package", () => {
  it("names every upstream response the result rests on, with hashes that match the stored bodies and the server", async () => {
    const d = await s.queries.runDetail("vendor");
    expect(d.trace.endpoints.map((e) => [e.address, String(e.amount)]).sort()).toEqual(
      [
        [E, "1499000"],
        [T, "499000"],
      ].sort(),
    );
    const pkg = await s.evidence.forRun(d);
    expect(pkg.tool).toEqual({ name: "fundtrace", version: s.version });
    expect(pkg.params).toMatchObject({ chain: "bitcoin", addresses: [V], model: "haircut", maxHops: 4 });
    expect(pkg.resultSha256).toBe(sha(JSON.stringify(pkg.result)));
    // every tx and address of the result is backed by at least one response
    expect(pkg.unsourced).toEqual([]);
    const named = new Set(pkg.responses.flatMap((r) => r.refs));
    for (const t of [t1.txid, t2.txid, V, E, T]) expect(named.has(t)).toBe(true);
    expect(pkg.responses.length).toBeGreaterThan(0);
    const bodies = await s.evidence.bodies(pkg.responses.map((r) => r.sha256));
    for (const r of pkg.responses) {
      expect(r.url.startsWith(server.url)).toBe(true);
      expect(sha(bodies.get(r.sha256)!)).toBe(r.sha256);
    }
    // immutable resources: fetching the URL again gives the very bytes that were hashed
    const txUrl = pkg.responses.find(
      (r) => r.url.endsWith(`/tx/${t2.txid}`) || r.url.includes(`/tx/${t1.txid}`),
    );
    const immutable = pkg.responses.filter((r) => /\/tx\/[0-9a-f]{64}$/.test(r.url));
    for (const r of [...immutable, ...(txUrl ? [txUrl] : [])]) {
      const live = Buffer.from(await (await fetch(r.url)).arrayBuffer());
      expect(sha(live)).toBe(r.sha256);
    }
  });

  it("writes a folder whose GraphML parses with the expected nodes, edges and attributes, and whose CSV and sums check", async () => {
    const out = join(dir, "pkg");
    const cli = await runCli([
      "--db",
      join(dir, "evidence.duckdb"),
      "--no-default-labels",
      "--esplora-url",
      server.url,
      "query",
      "evidence",
      "vendor",
      "--out",
      out,
    ]);
    expect(cli.stderr).toBe("");
    expect(cli.code).toBe(0);
    const pkg = JSON.parse(await readFile(join(out, "evidence.json"), "utf8"));
    for (const r of pkg.responses)
      expect(sha(await readFile(join(out, "responses", r.sha256)))).toBe(r.sha256);
    const sums = (await readFile(join(out, "SHA256SUMS"), "utf8")).trim().split("\n");
    for (const line of sums) {
      const [h, name] = line.split(/\s+/);
      expect(sha(await readFile(join(out, name!)))).toBe(h);
    }

    const xml = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@",
      isArray: (n) => ["node", "edge", "data", "key"].includes(n),
    });
    const g = xml.parse(await readFile(join(out, "graph.graphml"), "utf8"));
    const keys = Object.fromEntries(g.graphml.key.map((k: any) => [k["@id"], k["@attr.name"]]));
    expect(Object.values(keys)).toEqual(expect.arrayContaining(["label", "categories", "amount", "txid"]));
    const data = (el: any) =>
      Object.fromEntries((el.data ?? []).map((x: any) => [keys[x["@key"]], String(x["#text"] ?? "")]));
    const nodes = new Map(g.graphml.graph.node.map((n: any) => [n["@id"], data(n)]));
    expect(new Set(nodes.keys())).toEqual(new Set([V, hop1.address(), E, T]));
    expect(nodes.get(E)).toMatchObject({
      label: "Test Exchange",
      categories: "exchange",
      amount: "0.01499000 BTC",
      base_units: "1499000",
      stop: "true",
    });
    expect(nodes.get(T)).toMatchObject({
      label: "Listed Financier",
      categories: "terrorism",
      amount: "0.00499000 BTC",
      base_units: "499000",
    });
    const edges = g.graphml.graph.edge.map((e: any) => [
      e["@source"],
      e["@target"],
      data(e).txid,
      data(e).base_units,
    ]);
    expect(edges.sort()).toEqual(
      [
        [V, hop1.address(), t1.txid, "1500000"],
        [V, T, t1.txid, "499000"],
        [hop1.address(), E, t2.txid, "1499000"],
      ].sort(),
    );

    const rows = parseCsv(await readFile(join(out, "endpoints.csv"), "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((r) => [r.address, r.base_units, r.categories, r.hops]).sort()).toEqual(
      [
        [E, "1499000", "exchange", "2"],
        [T, "499000", "terrorism", "1"],
      ].sort(),
    );
  });

  it("a fresh trace's package over the API carries the same hashes as the stored bodies", async () => {
    const app = createApp(s);
    const res = await app.request("/v1/evidence", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chain: "bitcoin", address: V, maxHops: 4, model: "poison" }),
    });
    expect(res.status).toBe(200);
    const pkg = (await res.json()) as any;
    expect(pkg.subject).toEqual({ kind: "trace" });
    expect(pkg.result.endpoints.map((e: any) => e.amount).sort()).toEqual(["1499000", "499000"]);
    const bodies = await s.evidence.bodies(pkg.responses.map((r: any) => r.sha256));
    expect(bodies.size).toBe(new Set(pkg.responses.map((r: any) => r.sha256)).size);
    for (const [h, b] of bodies) expect(sha(b)).toBe(h);
    const gm = await app.request("/v1/queries/vendor/runs/latest/evidence?format=graphml");
    expect(gm.headers.get("content-type")).toContain("graphml");
    expect(await gm.text()).toContain(`<node id="${T}">`);
    expect((await app.request("/v1/queries/vendor/runs/nope/evidence")).status).toBe(404);
  });
});

describe("--offline", () => {
  it("traces from what is stored without asking any source; ingest says why it cannot run", async () => {
    const base = [
      "--db",
      join(dir, "evidence.duckdb"),
      "--no-default-labels",
      "--esplora-url",
      "http://127.0.0.1:9",
      "--offline",
    ];
    await s.store.checkpoint(); // the CLI opens the same file in this process
    const before = server.stats.total;
    const r = await runCli([...base, "--json", "trace", "bitcoin", V, "--hops", "4"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.endpoints.map((e: any) => [e.address, e.amount]).sort()).toEqual(
      [
        [E, "1499000"],
        [T, "499000"],
      ].sort(),
    );
    expect(out.stats.requests).toBe(0);
    expect(server.stats.total).toBe(before);
    const ing = await runCli([...base, "ingest", "bitcoin", V]);
    expect(ing.code).toBe(2);
    expect(ing.stderr).toContain("offline");
  });
});

describe("cases", () => {
  // on a copy of the store: a case wallet is a label at once (issue 17 point 6), and the tests above,
  // run in any order, trace through the wallets flagged here
  let cv: Services;
  beforeAll(async () => {
    await s.store.checkpoint();
    await copyFile(join(dir, "evidence.duckdb"), join(dir, "cases.duckdb"));
    cv = await btcServices(dir, "cases", server.url);
  });
  afterAll(() => cv?.close());

  it("groups wallets, notes and queries; its TagPack re-imports to the same labels", async () => {
    await cv.cases.create("op-desert", { title: "Vendor financing", description: "darknet vendor to SDGT" });
    await cv.cases.addWallet("op-desert", "bitcoin", V, {
      label: "Vendor V",
      category: "market",
      note: "from seizure",
    });
    await cv.cases.addWallet("op-desert", "bitcoin", hop1.address(), {
      label: "Vendor peel hop",
      category: "market",
    });
    await cv.cases.addNote("op-desert", "vendor pays a listed financier");
    await cv.cases.addQuery("op-desert", "vendor");
    await expect(cv.cases.addWallet("op-desert", "bitcoin", `${V.slice(0, -1)}x`)).rejects.toThrow(
      /address/i,
    );
    await expect(cv.cases.addQuery("op-desert", "missing")).rejects.toThrow(/no saved query/);
    await expect(cv.cases.create("op-desert")).rejects.toThrow(/exists/);
    const cs = await cv.cases.get("op-desert");
    expect(cs.wallets.map((w) => [w.address, w.label, w.category])).toEqual(
      [
        [V, "Vendor V", "market"],
        [hop1.address(), "Vendor peel hop", "market"],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    expect(cs.queries.map((q) => q.name)).toEqual(["vendor"]);
    expect(cs.notes.map((n) => n.text)).toEqual(["vendor pays a listed financier"]);

    const other = await btcServices(dir, "agency-b", server.url);
    try {
      await other.labels.importBytes(
        Buffer.from(await cv.cases.tagpack("op-desert")),
        "case.yaml",
        "tagpack",
      );
      const got = await other.labels.all({});
      const pick = (l: {
        chain: string;
        address: string;
        label: string;
        category: string;
        confidence: number;
        reference: string | null;
      }) => [l.chain, l.address, l.label, l.category, l.confidence, l.reference];
      expect(got.map(pick).sort()).toEqual((await cv.cases.attributions("op-desert")).map(pick).sort());
    } finally {
      other.close();
    }

    const out = join(dir, "case-export");
    const files = await cv.cases.exportTo("op-desert", out, cv.evidence);
    expect(files).toEqual(
      expect.arrayContaining([
        "case.json",
        "tagpack.yaml",
        "queries/vendor/evidence.json",
        "queries/vendor/graph.graphml",
        "SHA256SUMS",
      ]),
    );
    // one SHA256SUMS covers every other file written, the query packages' own sums included
    const sums = (await readFile(join(out, "SHA256SUMS"), "utf8")).trim().split("\n");
    expect(sums.map((l) => l.split("  ")[1]).sort()).toEqual(files.filter((f) => f !== "SHA256SUMS").sort());
    expect(sums.map((l) => l.split("  ")[1])).toEqual(expect.arrayContaining(["case.json", "tagpack.yaml"]));
    for (const line of sums) {
      const [h, name] = line.split("  ");
      expect(sha(await readFile(join(out, name!))), name).toBe(h);
    }
  });

  it("over the CLI: case create, add-wallet, note, add-query, show", async () => {
    const base = ["--db", join(dir, "cli-case.duckdb"), "--no-default-labels", "--esplora-url", server.url];
    expect((await runCli([...base, "case", "create", "c1", "--title", "Case one"])).code).toBe(0);
    expect(
      (
        await runCli([
          ...base,
          "case",
          "add-wallet",
          "c1",
          "bitcoin",
          V,
          "--category",
          "market",
          "--label",
          "V",
        ])
      ).code,
    ).toBe(0);
    const bad = await runCli([...base, "case", "add-wallet", "c1", "bitcoin", "1NotAnAddress"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("1NotAnAddress");
    expect((await runCli([...base, "case", "note", "c1", "seen", "at", "exchange"])).code).toBe(0);
    const show = await runCli([...base, "--json", "case", "show", "c1"]);
    expect(JSON.parse(show.stdout)).toMatchObject({
      name: "c1",
      title: "Case one",
      wallets: [{ address: V, category: "market", label: "V" }],
      notes: [{ text: "seen at exchange" }],
    });
    expect((await runCli([...base, "case", "show", "nope"])).code).toBe(2);
  });
});

describe("audit log", () => {
  it("records every API write with key id, time, action, target and status; never the key", async () => {
    const key = "s3cret-evidence-key-0123456789";
    const app = createApp(s, { apiKeys: [key] });
    const post = (path: string, body: unknown, k?: string) =>
      app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...(k ? { authorization: `Bearer ${k}` } : {}) },
        body: JSON.stringify(body),
      });
    expect((await post("/v1/cases", { name: "audited", title: "A" }, key)).status).toBe(201);
    expect(
      (await post("/v1/cases/audited/wallets", { chain: "bitcoin", address: E, category: "exchange" }, key))
        .status,
    ).toBe(201);
    expect((await post("/v1/cases", { name: "sneaky" })).status).toBe(401);
    expect(
      (await app.request("/v1/cases/audited", { headers: { authorization: `Bearer ${key}` } })).status,
    ).toBe(200);
    const log = (await (
      await app.request("/v1/audit?limit=3", { headers: { authorization: `Bearer ${key}` } })
    ).json()) as any;
    expect(log.entries.map((e: any) => [e.keyId, e.action, e.status])).toEqual([
      ["none", "POST /v1/cases", 401],
      [keyId(key), "POST /v1/cases/:name/wallets", 201],
      [keyId(key), "POST /v1/cases", 201],
    ]);
    expect(log.entries[1].target).toBe(`/v1/cases/audited/wallets chain=bitcoin address=${E}`);
    expect(log.entries[2].target).toBe("/v1/cases name=audited");
    for (const e of log.entries) expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    const rows = await s.store.sql("SELECT * FROM audit_log");
    expect(JSON.stringify(rows)).not.toContain(key);
  });
});
