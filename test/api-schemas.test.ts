import type { z } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { Services } from "../src/services/index.ts";
import { btcServices, startServer } from "./helpers/btc.ts";
import { tempDir } from "./helpers/tmp.ts";
import { SECRET } from "./helpers/watch.ts";
import { startReceiver } from "./helpers/webhook.ts";

/**
 * Every JSON answer of every route is exactly what /openapi.json says: parsing a real body with the
 * route's documented schema keeps every key (zod drops what a schema does not name) and every value.
 */

const dir = tempDir();
const c = new DevChain({ seed: "api-schemas" });
const vendor = c.wallet("vendor");
const hop = c.wallet("hop");
const V = vendor.address();
const H = hop.address();
const E = c.wallet("exchange").address();
c.fund(V, 1_000_000n);
c.fund(V, 400_000n);
c.mine();
c.send({ from: vendor, to: [{ address: H, value: 1_300_000n }], fee: 1_000n });
c.mine();
c.send({ from: hop, to: [{ address: E, value: 1_290_000n }], fee: 1_000n });
c.mine();

let server: EsploraServer;
let s: Services;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  server = await startServer(c);
  s = await btcServices(dir, "schemas", server.url);
  await s.labels.importBytes(
    Buffer.from(
      "chain,address,label,category,source,confidence,program,reference,cluster_defining\n" +
        `bitcoin,${E},Test Exchange,exchange,test,50,,,false\n` +
        `bitcoin,${H},Terror wallet,terrorism_financing,test,60,SDGT,ref-1,false\n`,
    ),
    "labels.csv",
    "csv",
  );
  app = createApp(s);
});
afterAll(async () => {
  s?.close();
  await server?.close();
});

type RouteDef = {
  type: string;
  route: {
    method: string;
    path: string;
    responses: Record<string, { content?: Record<string, { schema: z.ZodType }> }>;
  };
};

/** Calls a route and checks its JSON body against the schema the route documents for that status. */
async function documented(method: string, path: string, docPath: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const defs = app.openAPIRegistry.definitions as unknown as RouteDef[];
  const def = defs.find(
    (d) => d.type === "route" && d.route.method === method.toLowerCase() && d.route.path === docPath,
  );
  expect(def, `${method} ${docPath} is documented`).toBeDefined();
  const schema = def!.route.responses[String(res.status)]?.content?.["application/json"]?.schema;
  expect(schema, `${method} ${docPath} documents status ${res.status}`).toBeDefined();
  const json = await res.json();
  expect(schema!.parse(json)).toEqual(json);
  return { status: res.status, json: json as any };
}

describe("response schemas", () => {
  it("describe every key of every JSON answer", async () => {
    expect((await documented("GET", "/v1/health", "/v1/health")).status).toBe(200);
    const ingest = await documented("POST", "/v1/ingest", "/v1/ingest", { chain: "bitcoin", addresses: [V] });
    expect(ingest.status).toBe(202);
    await s.jobs.wait(ingest.json.jobId);
    const job = await documented("GET", `/v1/jobs/${ingest.json.jobId}`, "/v1/jobs/{id}");
    expect(job.json).toMatchObject({ status: "done", result: { chain: "bitcoin" } });
    const info = await documented("GET", `/v1/addresses/bitcoin/${V}`, "/v1/addresses/{chain}/{address}");
    expect(info.json.stats.txCount).toBe(3);

    const trace = await documented("POST", "/v1/trace", "/v1/trace", { chain: "bitcoin", address: V });
    expect(trace.json.endpoints.map((e: any) => [e.address, e.amount])).toEqual([
      [H, "1300000"],
      [E, "1290000"],
    ]);
    const exp = await documented(
      "GET",
      `/v1/addresses/bitcoin/${V}/exposure?hops=3&direction=out`,
      "/v1/addresses/{chain}/{address}/exposure",
    );
    expect(exp.json.direct[0]).toMatchObject({ category: "terrorism_financing", amount: "1300000" });
    const screen = await documented("POST", "/v1/screen", "/v1/screen", {
      items: [{ chain: "bitcoin", address: V }],
      exposure: { hops: 2 },
    });
    expect(screen.json.results[0].exposure.direct).toHaveLength(1);
    await documented("GET", "/v1/labels?limit=5", "/v1/labels");
    await documented("POST", "/v1/labels/import", "/v1/labels/import", {
      name: "more.csv",
      content: `chain,address,label,category,source,confidence\nbitcoin,${V},Vendor,market,test,50\n`,
    });
    await s.clusters.cluster("bitcoin");
    const cl = await documented("GET", `/v1/clusters/bitcoin/${V}`, "/v1/clusters/{chain}/{address}");
    expect(cl.json.members).toContain(V);
  });

  it("describe saved queries, runs, evidence, cases and the audit log", async () => {
    const params = { chain: "bitcoin", addresses: [V], maxHops: 3 };
    const saved = await documented("POST", "/v1/queries", "/v1/queries", { name: "doc-q", params });
    expect(saved.status).toBe(201);
    const run = await documented("POST", "/v1/queries/doc-q/run", "/v1/queries/{name}/run");
    expect(run.json.diff).toBeNull();
    await documented("POST", "/v1/queries/doc-q/run", "/v1/queries/{name}/run");
    const runs = await documented("GET", "/v1/queries/doc-q/runs", "/v1/queries/{name}/runs");
    expect(runs.json.runs).toHaveLength(2);
    expect(runs.json.runs[0].diff).not.toBeNull();
    await documented("GET", "/v1/queries", "/v1/queries");
    await documented(
      "GET",
      "/v1/queries/doc-q/runs/latest/evidence",
      "/v1/queries/{name}/runs/{id}/evidence",
    );
    const ev = await documented("POST", "/v1/evidence", "/v1/evidence", { chain: "bitcoin", address: V });
    expect(ev.json.params).toMatchObject({ direction: "forward", maxHops: 5, model: "haircut" });

    expect((await documented("POST", "/v1/cases", "/v1/cases", { name: "doc-case" })).status).toBe(201);
    await documented("POST", "/v1/cases/doc-case/wallets", "/v1/cases/{name}/wallets", {
      chain: "bitcoin",
      address: V,
      category: "market",
    });
    await documented("POST", "/v1/cases/doc-case/notes", "/v1/cases/{name}/notes", { text: "seen" });
    await documented("POST", "/v1/cases/doc-case/queries", "/v1/cases/{name}/queries", { query: "doc-q" });
    await documented("GET", "/v1/cases/doc-case", "/v1/cases/{name}");
    await documented("GET", "/v1/cases", "/v1/cases");
    const audit = await documented("GET", "/v1/audit?limit=3", "/v1/audit");
    expect(audit.json.entries).toHaveLength(3);
  });

  it("describe watchlists, schedules, alerts and webhooks", async () => {
    const receiver = await startReceiver(SECRET);
    try {
      const hook = await documented("POST", "/v1/webhooks", "/v1/webhooks", {
        url: receiver.url,
        secret: SECRET,
      });
      expect(hook.status).toBe(201);
      expect(hook.json.fingerprint).toMatch(/^sha256:/);
      await documented("GET", "/v1/webhooks", "/v1/webhooks");
      const wl = await documented("POST", "/v1/watchlists", "/v1/watchlists", {
        name: "doc-book",
        items: [{ chain: "bitcoin", address: V }],
        every: "24h",
      });
      expect(wl.json.schedule).toMatchObject({ every: "24h", alertOn: ["terrorism_financing", "sanction"] });
      const run = await documented("POST", "/v1/watchlists/doc-book/run", "/v1/watchlists/{name}/run");
      expect(run.json.alerts).toHaveLength(1);
      await documented("GET", "/v1/watchlists", "/v1/watchlists");
      await documented("GET", "/v1/watchlists/doc-book", "/v1/watchlists/{name}");
      const patched = await documented("PATCH", "/v1/watchlists/doc-book", "/v1/watchlists/{name}", {
        alertOn: ["terrorism_financing"],
      });
      expect(patched.json).toMatchObject({ every: "24h", alertOn: ["terrorism_financing"] });
      await s.queries.save("doc-sched", { chain: "bitcoin", addresses: [V] });
      const sched = await documented("PATCH", "/v1/queries/doc-sched", "/v1/queries/{name}", {
        every: "15m",
      });
      expect(sched.json).toMatchObject({
        name: "doc-sched",
        schedule: { kind: "query", every: "15m", everySeconds: 900 },
      });
      await documented("GET", "/v1/schedules", "/v1/schedules");

      const id = run.json.alerts[0];
      const list = await documented("GET", "/v1/alerts?status=new&since=1h", "/v1/alerts");
      expect(list.json.alerts.map((a: any) => a.id)).toContain(id);
      await documented("GET", `/v1/alerts/${id}`, "/v1/alerts/{id}");
      const acked = await documented("POST", `/v1/alerts/${id}/ack`, "/v1/alerts/{id}/ack");
      expect(acked.json).toMatchObject({ id, status: "acked" });
      const ev = await documented("GET", `/v1/alerts/${id}/evidence`, "/v1/alerts/{id}/evidence");
      expect(ev.json.result.endpoints[0].address).toBe(H);
      const bad = await documented("PATCH", "/v1/queries/doc-sched", "/v1/queries/{name}", { every: "0" });
      expect(bad).toEqual({
        status: 400,
        json: { error: { code: "BAD_INPUT", message: 'every must be longer than 0, got "0"' } },
      });
      await documented("DELETE", "/v1/watchlists/doc-book", "/v1/watchlists/{name}");
      await documented("DELETE", `/v1/webhooks/${hook.json.id}`, "/v1/webhooks/{id}");
    } finally {
      await receiver.close();
    }
  });

  it("describe the errors", async () => {
    const bad = await documented("POST", "/v1/trace", "/v1/trace", {
      chain: "bitcoin",
      address: V,
      maxHops: 13,
    });
    expect(bad).toEqual({
      status: 400,
      json: { error: { code: "LIMIT_EXCEEDED", message: "hop limit too high: 13 (max 12)" } },
    });
    const missing = await documented("GET", "/v1/jobs/nope", "/v1/jobs/{id}");
    expect(missing.json.error.code).toBe("NOT_FOUND");
    await s.cases.create("taken");
    const taken = await documented("POST", "/v1/cases", "/v1/cases", { name: "taken" });
    expect(taken.status).toBe(409);
  });
});
