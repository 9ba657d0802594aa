// Issue 17 point 6: a wallet flagged in a case is a label in `address` and `trace` as soon as it is added.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import type { Services } from "../src/services/index.ts";
import { btcServices, startServer } from "./helpers/btc.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
const c = new DevChain({ seed: "case-wallet-labels" });
const V = c.wallet("vendor").address();
const H = c.wallet("courier").address();
const X = c.wallet("onward").address();
const u = c.fund(V, 1_000_000n);
c.mine();
c.send({ from: [u], to: [{ address: H, value: 990_000n }], fee: 10_000n });
c.mine();
c.send({ from: c.wallet("courier"), to: [{ address: X, value: 980_000n }], fee: 10_000n });
c.mine();

let server: EsploraServer;
let s: Services;
beforeAll(async () => {
  server = await startServer(c);
  s = await btcServices(dir, "case-labels", server.url);
});
afterAll(async () => {
  s?.close();
  await server?.close();
});

async function call(method: string, path: string, body?: object): Promise<{ status: number; json: any }> {
  const res = await createApp(s).request(path, {
    method,
    headers: { "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}

describe("case wallets are labels at once", () => {
  it("in GET /v1/addresses and POST /v1/trace right after POST /v1/cases/:name/wallets", async () => {
    const trace = () => call("POST", "/v1/trace", { chain: "bitcoin", address: V, maxHops: 4 });
    const before = await trace();
    expect(before.status).toBe(200);
    expect(before.json.endpoints.find((e: any) => e.address === H)).toBeUndefined();
    expect((await call("GET", `/v1/addresses/bitcoin/${H}`)).json.labels).toEqual([]);

    expect((await call("POST", "/v1/cases", { name: "op-courier" })).status).toBe(201);
    const added = await call("POST", "/v1/cases/op-courier/wallets", {
      chain: "bitcoin",
      address: H,
      label: "Courier",
      category: "money_laundering",
      note: "seen at the border",
    });
    expect(added.status).toBe(201);

    const info = await call("GET", `/v1/addresses/bitcoin/${H}`);
    expect(info.json.labels).toEqual([
      {
        label: "Courier",
        category: "money_laundering",
        source: "fundtrace case op-courier",
        confidence: 70,
        program: null,
        reference: "seen at the border",
        chain: "bitcoin",
      },
    ]);
    const after = await trace();
    const ep = after.json.endpoints.find((e: any) => e.address === H);
    expect(ep).toMatchObject({ labels: ["Courier"], categories: ["money_laundering"] });
  });
});

describe("over the CLI", () => {
  it("`address` shows the case wallet's label right after `case add-wallet`", async () => {
    const db = ["--db", join(dir, "cli.duckdb"), "--no-default-labels", "--offline"];
    expect((await runCli([...db, "case", "create", "c2"])).code).toBe(0);
    const none = await runCli([...db, "address", "bitcoin", X]);
    expect(none.stdout).toContain("no labels");
    const add = await runCli([
      ...db,
      "case",
      "add-wallet",
      "c2",
      "bitcoin",
      X,
      "--label",
      "Onward",
      "--category",
      "scam",
    ]);
    expect(add.code).toBe(0);
    const shown = await runCli([...db, "address", "bitcoin", X]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("label scam: Onward (fundtrace case c2)");
  });
});
