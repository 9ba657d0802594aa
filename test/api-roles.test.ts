import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { keyId, parseApiKeys, ROLE_EXTENSION, ROLES, type Role } from "../src/api/auth.ts";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { Services } from "../src/services/index.ts";
import { btcServices, startServer } from "./helpers/btc.ts";
import { KNOWN, testServices } from "./helpers/services.ts";
import { tempDir } from "./helpers/tmp.ts";

const KEYS: Record<Role, string> = {
  viewer: "viewer-key-0123456789",
  analyst: "analyst-key-0123456789",
  admin: "admin-key-0123456789",
};

let s: Services;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  s = await testServices("roles");
  // the analyst key is given without a role: analyst is the default
  app = createApp(s, { apiKeys: [`${KEYS.viewer}:viewer`, KEYS.analyst, `${KEYS.admin}:admin`] });
});
afterAll(() => s.close());

const call = (method: string, path: string, key: string | undefined, body?: unknown) =>
  app.request(path, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Every route of the OpenAPI document with the role it declares. */
async function routeRoles(): Promise<Record<string, string>> {
  const doc = (await (await app.request("/openapi.json")).json()) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  const out: Record<string, string> = {};
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops))
      out[`${method.toUpperCase()} ${path}`] = String(op[ROLE_EXTENSION]);
  return out;
}

/** The route's path with its parameters filled in. */
function concrete(path: string): string {
  return path
    .replace("{chain}", "bitcoin")
    .replace("{address}", KNOWN.unlabelledBtc)
    .replace("{name}", "no-such-thing")
    .replace("{id}", "no-such-id");
}

describe("roles on keys", () => {
  it("every route declares its role; the table is the documented one", async () => {
    expect(await routeRoles()).toEqual({
      "GET /v1/health": "public",
      "GET /v1/addresses/{chain}/{address}": "viewer",
      "GET /v1/addresses/{chain}/{address}/exposure": "viewer",
      "POST /v1/screen": "viewer",
      "GET /v1/labels": "viewer",
      "GET /v1/labels/export": "viewer",
      "POST /v1/labels/import": "admin",
      "POST /v1/ingest": "analyst",
      "GET /v1/jobs/{id}": "viewer",
      "GET /v1/clusters/{chain}/{address}": "viewer",
      "POST /v1/trace": "viewer",
      "POST /v1/trace/export": "viewer",
      "POST /v1/evidence": "viewer",
      "GET /v1/queries/{name}/runs/{id}/evidence": "viewer",
      "POST /v1/queries": "analyst",
      "GET /v1/queries": "viewer",
      "POST /v1/queries/{name}/run": "analyst",
      "GET /v1/queries/{name}/runs": "viewer",
      "POST /v1/cases": "analyst",
      "GET /v1/cases": "viewer",
      "GET /v1/cases/{name}": "viewer",
      "POST /v1/cases/{name}/wallets": "analyst",
      "POST /v1/cases/{name}/notes": "analyst",
      "POST /v1/cases/{name}/queries": "analyst",
      "GET /v1/cases/{name}/tagpack": "viewer",
      "GET /v1/audit": "viewer",
      "PATCH /v1/queries/{name}": "analyst",
      "DELETE /v1/queries/{name}": "admin",
      "PATCH /v1/cases/{name}": "analyst",
      "DELETE /v1/cases/{name}": "admin",
      "GET /v1/alerts": "viewer",
      "GET /v1/alerts/{id}": "viewer",
      "POST /v1/alerts/{id}/ack": "analyst",
      "GET /v1/alerts/{id}/evidence": "viewer",
      "POST /v1/watchlists": "analyst",
      "GET /v1/watchlists": "viewer",
      "GET /v1/watchlists/{name}": "viewer",
      "PATCH /v1/watchlists/{name}": "analyst",
      "DELETE /v1/watchlists/{name}": "admin",
      "POST /v1/watchlists/{name}/run": "analyst",
      "GET /v1/schedules": "viewer",
      "POST /v1/webhooks": "admin",
      "GET /v1/webhooks": "admin",
      "DELETE /v1/webhooks/{id}": "admin",
    });
  });

  it("at every boundary: each non-GET route and a sample of GETs, for each role", async () => {
    const table = await routeRoles();
    const sampleGets = ["GET /v1/labels", "GET /v1/cases", "GET /v1/audit", "GET /v1/queries"];
    const routes = Object.entries(table).filter(([r]) => !r.startsWith("GET ") || sampleGets.includes(r));
    expect(routes.length).toBeGreaterThan(12);
    for (const [route, need] of routes) {
      const [method, path] = route.split(" ") as [string, string];
      for (const role of ROLES) {
        // a body the route cannot accept: the role is checked before the input is read
        const r = await call(method, concrete(path), KEYS[role], method === "GET" ? undefined : { bad: 1 });
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(need as Role);
        const at = `${route} as ${role}`;
        if (allowed) {
          expect([401, 403], at).not.toContain(r.status);
        } else {
          expect(r.status, at).toBe(403);
          const body = (await r.json()) as { error: { code: string; message: string } };
          expect(body.error.code, at).toBe("FORBIDDEN");
          expect(body.error.message, at).toContain(
            `this needs the ${need} role; this key has the ${role} role`,
          );
        }
      }
    }
  });

  it("a refused write changes nothing; the same write with the role needed goes through", async () => {
    const denied = await call("POST", "/v1/cases", KEYS.viewer, { name: "by-viewer" });
    expect(denied.status).toBe(403);
    expect((await s.cases.list()).map((c) => c.name)).not.toContain("by-viewer");
    expect((await call("POST", "/v1/cases", KEYS.analyst, { name: "by-analyst" })).status).toBe(201);
    const csv =
      "chain,address,label,category,source,confidence\nbitcoin,1BoatSLRHtKNngkdXEeobR76b53LETtpyT,X,exchange,t,50\n";
    const imp = { name: "roles.csv", content: csv };
    expect((await call("POST", "/v1/labels/import", KEYS.analyst, imp)).status).toBe(403);
    expect((await s.labels.list()).total).toBe(0);
    const ok = await call("POST", "/v1/labels/import", KEYS.admin, imp);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ rows: 1, added: 1, removed: 0 });
  });

  it("no key is 401, a key not accepted 403; neither reaches a route", async () => {
    expect((await call("GET", "/v1/health", undefined)).status).toBe(200);
    const none = await call("POST", "/v1/cases", undefined, { name: "x" });
    expect(none.status).toBe(401);
    const wrong = await call("POST", "/v1/cases", "not-a-key", { name: "x" });
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as any).error.message).toBe("API key not accepted");
  });

  it("parses KEY and KEY:ROLE entries; a bad role is named by position, never the key", () => {
    expect(parseApiKeys(["k1", "k2:viewer", "with:colon:admin"])).toEqual([
      { key: "k1", role: "analyst", id: keyId("k1") },
      { key: "k2", role: "viewer", id: keyId("k2") },
      { key: "with:colon", role: "admin", id: keyId("with:colon") },
    ]);
    expect(() => parseApiKeys(["secret-one", "secret-two:boss"])).toThrow(
      'FUNDTRACE_API_KEYS entry 2: unknown role "boss" (viewer, analyst, admin)',
    );
    expect(() => parseApiKeys([":admin"])).toThrow("FUNDTRACE_API_KEYS entry 1: the key is empty");
  });
});

describe("a viewer traces on stored data", () => {
  it("its trace, export and exposure ask no upstream source; an analyst's do", async () => {
    const chain = new DevChain({ seed: "roles-viewer" });
    const vendor = chain.wallet("vendor");
    const A = vendor.address();
    chain.fund(A, 1_000_000n);
    chain.mine();
    chain.send({
      from: vendor,
      to: [{ address: chain.wallet("hop").address(), value: 900_000n }],
      fee: 1_000n,
    });
    chain.mine();
    const server = await startServer(chain);
    const svc = await btcServices(tempDir(), "viewer-trace", server.url);
    try {
      const a = createApp(svc, { apiKeys: [`${KEYS.viewer}:viewer`, KEYS.analyst] });
      const trace = (key: string) =>
        a.request("/v1/trace", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ chain: "bitcoin", address: A, maxHops: 2 }),
        });
      const exposure = (key: string) =>
        a.request(`/v1/addresses/bitcoin/${A}/exposure?hops=1`, {
          headers: { authorization: `Bearer ${key}` },
        });
      const exportCsv = (key: string) =>
        a.request("/v1/trace/export?format=csv", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ chain: "bitcoin", address: A, maxHops: 2 }),
        });
      const v = (await (await trace(KEYS.viewer)).json()) as any;
      expect(v.stats.requests).toBe(0);
      expect(((await (await exposure(KEYS.viewer)).json()) as any).requests).toBe(0);
      expect((await exportCsv(KEYS.viewer)).status).toBe(200);
      expect(server.stats.total).toBe(0);
      const an = (await (await trace(KEYS.analyst)).json()) as any;
      expect(an.stats.requests).toBeGreaterThan(0);
    } finally {
      svc.close();
      await server.close();
    }
  });
});
