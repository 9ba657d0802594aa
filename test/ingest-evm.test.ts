import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { listValue } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { loadConfig } from "../src/config.ts";
import { isoTime } from "../src/core/time.ts";
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

/** The environment of a CLI run against the local Etherscan server. */
const cliEnv = () => ({
  ...fast,
  FUNDTRACE_DEFAULT_LABELS: "0",
  FUNDTRACE_ETHERSCAN_URL: es.url,
  ETHERSCAN_API_KEY: KEY,
  FUNDTRACE_EVM_CHAIN_ID: "31337",
});

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

describe("EVM ingest --since/--until", () => {
  /** Every transfer row of the tracked addresses (one row may be two addresses'), by key. */
  const scenarioRows = () => {
    const all = h.scenario.tracked.flatMap((a) => h.scenario.expected(a));
    return [...new Map(all.map((r) => [`${r.txid}|${r.kind}|${r.seq}`, r])).values()];
  };
  const keys = async (s: Services) =>
    (await s.store.sql("SELECT txid, kind, seq FROM account_transfers"))
      .map((r) => `${r.txid}|${r.kind}|${r.seq}`)
      .sort();

  it("CLI (Etherscan): only the window's transfers are stored; the addresses stay partial until a full run completes them without duplicates", async () => {
    const rows = scenarioRows();
    const times = [...new Set(rows.map((r) => r.blockTime!))].sort((x, y) => x - y);
    const [since, until] = [times[2]!, times[times.length - 3]!];
    const want = rows.filter((r) => r.blockTime! >= since && r.blockTime! <= until);
    expect(want.length).toBeGreaterThan(10);
    expect(want.length).toBeLessThan(rows.length);
    const env = cliEnv();
    const db = join(dir, "window-cli.duckdb");
    const addrs = h.scenario.tracked;
    const w = ["--since", isoTime(since)!, "--until", isoTime(until)!];
    es.resetStats();
    const r = await runBin(["--db", db, "--json", "ingest", "anvil", ...addrs, ...w], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.window).toEqual({ since: isoTime(since), until: isoTime(until) });
    expect(out.addresses.map((a: any) => a.complete)).toEqual(addrs.map(() => false));
    // the window became startblock/endblock: no list asked for blocks outside it
    expect(es.stats.byAction["block.getblocknobytime"]).toBe(2);
    const lo = Math.min(...want.map((x) => x.blockNumber));
    const hi = Math.max(...want.map((x) => x.blockNumber));
    const lists = es.stats.requests
      .map((x) => new URL(x.path, "http://x").searchParams)
      .filter((q) => q.get("startblock") !== null);
    expect(lists.length).toBeGreaterThan(0);
    for (const q of lists) {
      expect(Number(q.get("startblock"))).toBeGreaterThanOrEqual(lo);
      expect(Number(q.get("endblock"))).toBeLessThanOrEqual(hi);
    }
    // the same file through the services (a full run next: in-process, as a trace's fetch would do it)
    const s = await viaEtherscan("window-cli");
    const ref = await viaEtherscan("window-ref");
    try {
      const state = async () => ({
        rows: await transfers(s),
        cursors: (await s.store.sql("SELECT count(*)::INTEGER AS n FROM sync_cursors"))[0]!.n,
        partial: (await s.addresses.info("anvil", addrs[0]!)).stats.partial ?? "",
      });
      expect(await keys(s)).toEqual(want.map((x) => `${x.txid}|${x.kind}|${x.seq}`).sort());
      const windowed = await state();
      expect(windowed.cursors).toBe(0);
      expect(windowed.partial).toContain(
        `ingested only for a time window (${isoTime(since)} to ${isoTime(until)})`,
      );
      const full = await s.ingest.ingest("anvil", addrs);
      expect(full.addresses.every((a) => a.complete && a.partial === undefined)).toBe(true);
      await ref.ingest.ingest("anvil", addrs);
      const done = await state();
      expect(done.rows).toEqual(await transfers(ref));
      expect(done.cursors).toBe(addrs.length);
      expect(done.partial).not.toContain("time window");
    } finally {
      s.close();
      ref.close();
    }
  });

  it("API (JSON-RPC node): since only stores the transfers from then on, in a job that says the history is partial", async () => {
    const rows = scenarioRows();
    const since = rows[Math.floor(rows.length / 2)]!.blockTime!;
    const s = await viaRpc("window-api");
    try {
      const app = createApp(s);
      const a = h.scenario.addresses.alice;
      const res = await app.request("/v1/ingest", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ chain: "anvil", addresses: [a], since: isoTime(since) }),
      });
      expect(res.status).toBe(202);
      const { jobId } = (await res.json()) as { jobId: string };
      const job = await s.jobs.wait(jobId);
      expect(job.status).toBe("done");
      expect((job.result as any).addresses[0]).toMatchObject({ address: a, complete: false });
      const want = h.scenario.expected(a).filter((r) => r.blockTime! >= since);
      expect(want.length).toBeGreaterThan(0);
      expect(await keys(s)).toEqual(want.map((x) => `${x.txid}|${x.kind}|${x.seq}`).sort());
      // offline, nothing is claimed about what the window left out
      const x = await s.traces.exposure("anvil", a, { fetch: false });
      expect(x.coverage.unknown.map((u) => u.address)).toEqual([a]);
    } finally {
      s.close();
    }
  });
});

describe("EVM CLI ingest killed with SIGKILL", { tags: ["slow"] }, () => {
  it("resumes to a table identical to an uninterrupted run, with the key never in the output", async () => {
    const env = cliEnv();
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
        const staged = await s.store.sql("SELECT count(*)::INTEGER AS n FROM account_transfers_stage");
        return { rows: await transfers(s), staged: staged[0]!.n };
      } finally {
        s.close();
      }
    };
    const partial = await read0(db);
    const full = await read0(cleanDb);
    expect(partial.rows.length).toBeGreaterThan(0);
    expect(partial.rows.length).toBeLessThan(full.rows.length);
    const again = await runBin(["--db", db, "ingest", "anvil", ...addrs], env);
    expect(again.code).toBe(0);
    // every transfer once (the whole table is compared), nothing left in the staging table
    expect(await read0(db)).toEqual({ rows: full.rows, staged: 0 });
    expect(readFileSync(db).includes(Buffer.from(KEY))).toBe(false);
  });
});
