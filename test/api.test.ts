import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import type { Services } from "../src/services/index.ts";
import { BINANCE_PACK, KNOWN, NBCTF_CSV, OFAC_XML, testServices } from "./helpers/services.ts";

let s: Services;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  s = await testServices("api");
  await s.labels.importFile(OFAC_XML);
  await s.labels.importFile(NBCTF_CSV);
  await s.labels.importFile(BINANCE_PACK);
  app = createApp(s);
});
afterAll(() => s.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });

describe("HTTP API", () => {
  it("reports health and version", async () => {
    const r = await app.request("/v1/health");
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ok", version: s.version });
  });

  it("serves an OpenAPI document naming the routes", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/health",
        "/v1/screen",
        "/v1/addresses/{chain}/{address}",
        "/v1/labels",
        "/v1/labels/import",
        "/v1/labels/export",
      ]),
    );
  });

  it("screens a real OFAC SDGT address as sanctioned terrorism financing with the SDN name and program", async () => {
    const r = await post("/v1/screen", {
      items: [
        { chain: "ethereum", address: KNOWN.sdgtEth },
        { chain: "bitcoin", address: KNOWN.unlabelledBtc },
        { chain: "tron", address: KNOWN.nbctfTron },
        { chain: "bitcoin", address: KNOWN.binanceBtc },
      ],
    });
    expect(r.status).toBe(200);
    const { results } = (await r.json()) as { results: any[] };
    expect(results).toHaveLength(4);
    const [sdgt, clean, nbctf, binance] = results;
    expect(sdgt.address).toBe(KNOWN.sdgtEth.toLowerCase());
    expect(sdgt.sanctioned).toBe(true);
    expect(sdgt.categories).toEqual(["sanction", "terrorism_financing"]);
    expect(sdgt.labels.map((l: any) => l.label)).toContain("Gaza Now");
    const ofac = sdgt.labels.filter((l: any) => l.source === "OFAC SDN 2025-11-19");
    expect(ofac.map((l: any) => l.category).sort()).toEqual(["sanction", "terrorism_financing"]);
    expect(ofac.every((l: any) => l.program === "SDGT" && l.reference === "SDN uid 47635")).toBe(true);
    // the same wallet is also in an Israeli NBCTF seizure order
    expect(sdgt.labels.map((l: any) => l.source)).toContain("NBCTF ASO 2/24");
    expect(sdgt.risk.band).toBe("severe");
    expect(clean).toMatchObject({
      sanctioned: false,
      labels: [],
      categories: [],
      risk: { score: 0, band: "none" },
    });
    expect(nbctf).toMatchObject({
      sanctioned: false,
      categories: ["terrorism_financing"],
      risk: { band: "severe" },
    });
    expect(nbctf.labels[0].source).toBe("NBCTF ASO 18/26");
    expect(binance).toMatchObject({ sanctioned: false, categories: ["exchange"], risk: { band: "none" } });
  });

  it("answers a bad checksum as that item's error naming the address, and changes nothing", async () => {
    const before = await s.labels.list({ limit: 1 });
    const r = await post("/v1/screen", { items: [{ chain: "ethereum", address: KNOWN.badChecksumEth }] });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { results: { error: { code: string; message: string } }[] };
    expect(body.results[0]!.error.code).toBe("INVALID_ADDRESS");
    expect(body.results[0]!.error.message).toContain(KNOWN.badChecksumEth);
    expect(body.results[0]!.error.message).toContain("EIP-55");
    expect((await s.labels.list({ limit: 1 })).total).toBe(before.total);
  });

  it("answers an unknown chain as that item's error; rejects a malformed body with 400", async () => {
    const r1 = await post("/v1/screen", { items: [{ chain: "dogechain", address: "x" }] });
    expect(r1.status).toBe(200);
    expect(((await r1.json()) as any).results[0].error.message).toMatch(/unknown chain "dogechain"/);
    const r2 = await post("/v1/screen", { items: "nope" });
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as any).error.message).toMatch(/^items/);
    const r3 = await app.request("/v1/screen", {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(r3.status).toBe(400);
  });

  it("returns an address's labels with the SPEC shape", async () => {
    const r = await app.request(`/v1/addresses/ethereum/${KNOWN.sdgtEth}`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as any;
    expect(body).toMatchObject({ chain: "ethereum", address: KNOWN.sdgtEth.toLowerCase(), cluster: null });
    expect(body.labels.map((l: any) => `${l.source}:${l.category}`).sort()).toEqual([
      "NBCTF ASO 2/24:terrorism_financing",
      "OFAC SDN 2025-11-19:sanction",
      "OFAC SDN 2025-11-19:terrorism_financing",
    ]);
    expect(body.stats).toMatchObject({ txCount: 0, received: "0", sent: "0", balance: "0" });
    const bad = await app.request(`/v1/addresses/bitcoin/${KNOWN.unlabelledBtc.slice(0, -1)}b`);
    expect(bad.status).toBe(400);
  });

  it("lists labels with filters and 404s unknown routes", async () => {
    const r = await app.request("/v1/labels?chain=tron&category=terrorism_financing&limit=5");
    const body = (await r.json()) as any;
    expect(body.labels).toHaveLength(5);
    expect(body.total).toBeGreaterThan(300);
    expect(body.labels.every((l: any) => l.chain === "tron")).toBe(true);
    expect((await app.request("/v1/nope")).status).toBe(404);
  });

  it("exports a TagPack that re-imports through the API to the same labels", async () => {
    const exp = await app.request("/v1/labels/export?format=tagpack&category=exchange");
    expect(exp.status).toBe(200);
    const yaml = await exp.text();
    expect(yaml).toMatch(/^title:/m);
    const other = await testServices("api-reimport");
    try {
      const app2 = createApp(other);
      const imp = await app2.request("/v1/labels/import", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "export.yaml", content: yaml }),
      });
      expect(imp.status).toBe(200);
      const key = (l: any) =>
        [l.chain, l.address, l.label, l.category, l.confidence, l.clusterDefining].join("|");
      const a = (await s.labels.all({ category: "exchange" })).map(key).sort();
      const b = (await other.labels.all({ category: "exchange" })).map(key).sort();
      expect(b).toEqual(a);
      expect(a.length).toBeGreaterThan(10);
    } finally {
      other.close();
    }
  });

  it("requires a key when keys are configured and never echoes it", async () => {
    const secured = createApp(s, { apiKeys: ["k-secret-123456"] });
    expect((await secured.request("/v1/health")).status).toBe(200);
    const none = await secured.request("/v1/labels");
    expect(none.status).toBe(401);
    const wrong = await secured.request("/v1/labels", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(403);
    const ok = await secured.request("/v1/labels?limit=1", {
      headers: { authorization: "Bearer k-secret-123456" },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).not.toContain("k-secret-123456");
  });

  it("limits the request body size with 413", async () => {
    const small = createApp(s, { bodyLimit: 1024 });
    const r = await small.request("/v1/screen", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        items: Array.from({ length: 100 }, () => ({ chain: "bitcoin", address: KNOWN.unlabelledBtc })),
      }),
    });
    expect(r.status).toBe(413);
  });

  it("judges a declared length by its header: 413 over the limit, the route under it", async () => {
    const small = createApp(s, { bodyLimit: 1024 });
    const post = (n: number) => {
      const body = JSON.stringify({
        items: Array.from({ length: n }, () => ({ chain: "bitcoin", address: KNOWN.unlabelledBtc })),
      });
      return small.request("/v1/screen", {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
        body,
      });
    };
    const over = await post(100);
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await post(2)).status).toBe(200);
  });
});

describe("serving", () => {
  it("a port in use is a clear bad-input error, and the server answers on a free one", async () => {
    const { startServer } = await import("../src/api/server.ts");
    const a = await startServer(s, { host: "127.0.0.1", port: 0, apiKeys: [] });
    try {
      await expect(startServer(s, { host: "127.0.0.1", port: a.port, apiKeys: [] })).rejects.toMatchObject({
        code: "BAD_INPUT",
        message: `port ${a.port} on 127.0.0.1 is in use (choose another with --port)`,
      });
      expect(await (await fetch(`${a.url}/v1/health`)).json()).toMatchObject({ status: "ok" });
    } finally {
      await a.close();
    }
  });
});
