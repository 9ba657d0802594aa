import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { listValue } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { loadConfig } from "../src/config.ts";
import { type EtherscanServer, startEtherscanServer } from "../src/devchain/etherscan-server.ts";
import { type EvmHarness, startEvmHarness } from "../src/devchain/evm.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { BIN, runBin } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

const KEY = "Qx7-secret-etherscan-key-91ab";
const dir = tempDir();
let h: EvmHarness;
let es: EtherscanServer;

const fast = {
  FUNDTRACE_RETRY_BASE_MS: "2",
  FUNDTRACE_MAX_RETRIES: "12",
  FUNDTRACE_HTTP_TIMEOUT_MS: "1500",
  FUNDTRACE_RPS: "2000",
  FUNDTRACE_EVM_CONFIRMATIONS: "0",
};

beforeAll(async () => {
  h = await startEvmHarness();
  es = await startEtherscanServer(h, { flavor: "etherscan-v2", recordWindow: 10, apiKey: KEY });
});
afterAll(async () => {
  await es?.close();
  await h?.stop();
});

const viaRpc = (name: string) =>
  createServices(
    loadConfig({ db: join(dir, `${name}.duckdb`), defaultLabels: false, evmRpcUrl: h.node.url }, fast),
  );
const viaEtherscan = (name: string) =>
  createServices(
    loadConfig(
      {
        db: join(dir, `${name}.duckdb`),
        defaultLabels: false,
        etherscanUrl: es.url,
        etherscanKey: KEY,
        evmChainId: 31337,
      },
      fast,
    ),
  );

async function transfers(s: Services): Promise<string[]> {
  const rows = await s.store.sql(
    "SELECT * FROM account_transfers ORDER BY block_number, tx_index, kind, seq",
  );
  return rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}

describe("EVM ingest into the store", () => {
  let rpc: Services;
  let ethscan: Services;
  // both stores hold the scenario before any test reads them
  let a: Awaited<ReturnType<Services["ingest"]["ingest"]>>;
  let b: typeof a;
  beforeAll(async () => {
    rpc = await viaRpc("rpc");
    ethscan = await viaEtherscan("etherscan");
    a = await rpc.ingest.ingest("anvil", h.scenario.tracked);
    b = await ethscan.ingest.ingest("anvil", h.scenario.tracked);
  });
  afterAll(() => {
    rpc?.close();
    ethscan?.close();
  });

  it("the JSON-RPC and the Etherscan-compatible adapter give identical transfer tables", async () => {
    expect(a.addresses.reduce((n, x) => n + (x.transfers ?? 0), 0)).toBeGreaterThan(50);
    const ta = await transfers(rpc);
    expect(ta.length).toBeGreaterThan(50);
    expect(await transfers(ethscan)).toEqual(ta);
    expect(b.requests).toBeGreaterThan(0);
    const kinds = new Set(
      (await rpc.store.sql("SELECT DISTINCT kind FROM account_transfers")).map((r) => r.kind),
    );
    expect([...kinds].sort()).toEqual(["fee", "internal", "native", "token"]);
  });

  it("logs every JSON-RPC answer as received, with its request, for evidence packages", async () => {
    const rows = await rpc.store.sql(
      "SELECT l.url, l.request, l.sha256, b.body FROM response_log l JOIN response_bodies b USING (sha256)",
    );
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) {
      expect(
        createHash("sha256")
          .update(r.body as string)
          .digest("hex"),
      ).toBe(r.sha256);
      expect(r.url).toBe(h.node.url.replace(/\/?$/, "/"));
    }
    expect(rows.some((r) => (r.request as string).includes('"eth_getLogs"'))).toBe(true);
    // the package for the big transfer names the answer that carried it
    const tx = h.scenario.bigValueTxid;
    const hits = await rpc.store.all("evidence.responses_for", { refs: listValue([tx]) });
    expect(hits.length).toBeGreaterThan(0);
  });

  it("keeps 10^24 wei exact and reports per-asset stats", async () => {
    const alice = h.scenario.addresses.alice;
    const rows = await rpc.store.sql(
      "SELECT value FROM account_transfers WHERE txid = $t AND kind = 'native'",
      { t: h.scenario.bigValueTxid },
    );
    expect(rows[0]?.value).toBe(10n ** 24n);
    const info = (await (await createApp(rpc).request(`/v1/addresses/anvil/${alice}`)).json()) as any;
    const expected = h.scenario.expected(alice);
    const eth = expected.filter((t) => t.asset === "ETH" && t.success);
    const received = eth.filter((t) => t.to === alice).reduce((x, t) => x + t.value, 0n);
    const sent = eth.filter((t) => t.from === alice).reduce((x, t) => x + t.value, 0n);
    expect(info.stats).toMatchObject({ asset: "ETH", received: received.toString(), sent: sent.toString() });
    const token = info.assets.find((x: any) => x.asset === h.scenario.token.address);
    expect(token).toMatchObject({ symbol: h.scenario.token.symbol, decimals: 6 });
  });

  it("a rerun with nothing new writes nothing", async () => {
    const before = await transfers(ethscan);
    const r = await ethscan.ingest.ingest("anvil", h.scenario.tracked);
    expect(r.addresses.every((x) => x.upToDate)).toBe(true);
    expect(await transfers(ethscan)).toEqual(before);
  });

  it("with 20% of requests failing, ends with the same table", { tags: ["slow"] }, async () => {
    const faulty = await viaEtherscan("etherscan-faults");
    try {
      es.setFaults({ rate: 0.2, seed: 11, holdMs: 2500 });
      await faulty.ingest.ingest("anvil", h.scenario.tracked);
      es.setFaults(null);
      expect(es.stats.faulted).toBeGreaterThan(3);
      expect(await transfers(faulty)).toEqual(await transfers(rpc));
    } finally {
      es.setFaults(null);
      faulty.close();
    }
  });

  it("never stores or prints the API key", async () => {
    const dbText = await ethscan.store.sql("SELECT url, body FROM raw_responses");
    expect(JSON.stringify(dbText)).not.toContain(KEY);
    const logged = await ethscan.store.sql("SELECT url, request FROM response_log");
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.stringify(logged)).not.toContain(KEY);
    for (const t of ["sync_cursors", "jobs", "account_transfers"]) {
      expect(
        JSON.stringify(await ethscan.store.sql(`SELECT * FROM ${t}`), (_k, v) =>
          typeof v === "bigint" ? v.toString() : v,
        ),
      ).not.toContain(KEY);
    }
    // a wrong key: the error names the problem, never the key
    const bad = await createServices(
      loadConfig(
        {
          db: join(dir, "badkey.duckdb"),
          defaultLabels: false,
          etherscanUrl: es.url,
          etherscanKey: "WRONG-key-value-123",
          evmChainId: 31337,
        },
        fast,
      ),
    );
    try {
      const err = await bad.ingest.ingest("anvil", [h.scenario.addresses.alice]).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).not.toContain("WRONG-key-value-123");
    } finally {
      bad.close();
    }
  });
});

describe("EVM CLI ingest killed with SIGKILL", { tags: ["slow"] }, () => {
  it("resumes to a table identical to an uninterrupted run, with the key never in the output", async () => {
    const env = {
      ...fast,
      FUNDTRACE_DEFAULT_LABELS: "0",
      FUNDTRACE_ETHERSCAN_URL: es.url,
      ETHERSCAN_API_KEY: KEY,
      FUNDTRACE_EVM_CHAIN_ID: "31337",
    };
    const addrs = h.scenario.tracked;
    const cleanDb = join(dir, "cli-clean.duckdb");
    es.resetStats();
    const clean = await runBin(["--db", cleanDb, "ingest", "anvil", ...addrs], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout + clean.stderr).not.toContain(KEY);

    const cleanRequests = es.stats.total;
    const db = join(dir, "cli-killed.duckdb");
    es.resetStats();
    const child = spawn(BIN, ["--db", db, "ingest", "anvil", ...addrs], {
      env: { ...process.env, ...env },
      stdio: "ignore",
    });
    const exited = new Promise<string | null>((res) => child.on("exit", (_c, sig) => res(sig)));
    const deadline = Date.now() + 60_000;
    // kill it part-way: after about half of the requests a full run makes
    while (es.stats.total < Math.floor(cleanRequests / 2) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 2));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const read0 = async (p: string) => {
      const s = await createServices(loadConfig({ db: p, defaultLabels: false }, {}));
      try {
        return await transfers(s);
      } finally {
        s.close();
      }
    };
    const partial = await read0(db);
    const full = await read0(cleanDb);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(full.length);
    const again = await runBin(["--db", db, "ingest", "anvil", ...addrs], env);
    expect(again.code).toBe(0);
    expect(await read0(db)).toEqual(full);
    expect(readFileSync(db).includes(Buffer.from(KEY))).toBe(false);
  });
});
