import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { parseTronJson } from "../adapters/tron/json.ts";
import { createApp } from "../src/api/app.ts";
import { loadConfig } from "../src/config.ts";
import { type BusyAccount, buildBusyAccount } from "../src/devchain/tron-scenario.ts";
import { startTronServer, type TronServer } from "../src/devchain/tron-server.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { BIN, runBin } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

const KEY = "trongrid-key-ingest-9f3a";
const dir = tempDir();
const fast = {
  FUNDTRACE_RETRY_BASE_MS: "2",
  FUNDTRACE_MAX_RETRIES: "12",
  FUNDTRACE_HTTP_TIMEOUT_MS: "3000",
  FUNDTRACE_RPS: "2000",
  FUNDTRACE_EVM_CONFIRMATIONS: "0",
  TRONGRID_API_KEY: KEY,
};

/** A chain with one busy account and its server, for one test (tests run in any order). */
async function chainWith(
  tokenTransfers: number,
  seed: string,
): Promise<{ busy: BusyAccount; srv: TronServer }> {
  const busy = buildBusyAccount({ tokenTransfers, seed });
  const srv = await startTronServer(busy.chain, { apiKey: KEY });
  servers.push(srv);
  return { busy, srv };
}
const servers: TronServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((x) => x.close()));
});

const open = (name: string, srv: TronServer) =>
  createServices(
    loadConfig({ db: join(dir, `${name}.duckdb`), defaultLabels: false, tronUrl: srv.url }, fast),
  );

async function table(s: Services): Promise<string[]> {
  const rows = await s.store.sql(
    "SELECT * FROM account_transfers WHERE chain = 'tron' ORDER BY block_number, tx_index, kind, seq",
  );
  return rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}

/** What the server's /v1/accounts/:a says the account holds. */
async function reported(srv: TronServer, a: string) {
  const j = parseTronJson(await (await fetch(`${srv.url}/v1/accounts/${a}`)).text()) as any;
  const acc = j.data[0];
  return { trx: BigInt(acc.balance ?? 0), trc20: Object.assign({}, ...acc.trc20) as Record<string, string> };
}

describe("Tron ingest from a TronGrid-compatible server", () => {
  it("ingests > 400 TRC-20 transfers under 10% 429/503 answers to exactly the balances /v1/accounts reports, asking no page twice", {
    tags: ["slow"],
  }, async () => {
    const { busy, srv } = await chainWith(420, "busy-420");
    const s = await open("busy", srv);
    onTestFinished(() => s.close());
    expect(busy.tokenTransfers).toBeGreaterThan(400);
    srv.resetStats();
    srv.setFaults({ rate: 0.1, kinds: ["429", "503"], seed: 18, retryAfter: 0 });
    let r: Awaited<ReturnType<Services["ingest"]["ingest"]>>;
    try {
      r = await s.ingest.ingest("tron", [busy.hub]);
    } finally {
      srv.setFaults(null);
    }
    expect(srv.stats.faulted).toBeGreaterThan(4);
    expect(srv.stats.faultsByKind["429"]).toBeGreaterThan(0);
    expect(srv.stats.faultsByKind["503"]).toBeGreaterThan(0);
    expect(r.retries).toBe(srv.stats.faulted);
    // every page answered once: retries ask again only what was refused
    const pages = srv.stats.requests.filter(
      (x) => x.outcome === "served" && x.path.startsWith("/v1/accounts/"),
    );
    expect(pages.length).toBeGreaterThan(4);
    expect(new Set(pages.map((x) => x.path)).size).toBe(pages.length);
    const answered = srv.stats.requests.filter((x) => x.outcome === "served").map((x) => x.path);
    expect(new Set(answered).size).toBe(answered.length);
    // the key went as a header, never in a URL
    expect(srv.stats.requests.every((x) => x.keyed && !x.path.includes(KEY))).toBe(true);

    const info = (await (await createApp(s).request(`/v1/addresses/tron/${busy.hub}`)).json()) as any;
    const want = await reported(srv, busy.hub);
    expect(info.stats).toMatchObject({ asset: "TRX", balance: want.trx.toString() });
    const asset = (a: string) => info.assets.find((x: any) => x.asset === a);
    expect(asset(busy.usdt.contract)).toMatchObject({
      symbol: "USDT",
      decimals: 6,
      balance: want.trc20[busy.usdt.contract],
    });
    // the fake USDT (same symbol and name, another contract) is another asset
    expect(asset(busy.fakeUsdt.contract)).toMatchObject({
      symbol: "USDT",
      balance: want.trc20[busy.fakeUsdt.contract],
    });
    expect(want.trc20[busy.fakeUsdt.contract]).toBe("1000000000");
    const tokenRows = await s.store.sql(
      "SELECT count(*)::INTEGER AS n FROM account_transfers WHERE chain = 'tron' AND kind = 'token'",
    );
    expect(tokenRows[0]?.n).toBe(busy.tokenTransfers);
    // the reverted USDT call moved nothing: only its fee is stored
    const rev = await s.store.sql("SELECT kind FROM account_transfers WHERE txid = $t", {
      t: busy.revertedUsdt,
    });
    expect(rev.map((x) => x.kind)).toEqual(["fee"]);
    expect(await table(s)).toHaveLength(busy.chain.expected(busy.hub).length);
  });

  it("a rerun with nothing new asks one page of each list per address (and the tip once), and writes nothing", async () => {
    const { busy, srv } = await chainWith(40, "busy-rerun");
    const s = await open("rerun", srv);
    onTestFinished(() => s.close());
    const addrs = [busy.hub, busy.chain.address("payer1"), busy.chain.address("payer2")];
    await s.ingest.ingest("tron", addrs);
    busy.chain.mineEmpty(3); // the chain moved on, the accounts did not
    const before = await table(s);
    srv.resetStats();
    const r = await s.ingest.ingest("tron", addrs);
    expect(r.addresses.map((x) => x.upToDate)).toEqual([true, true, true]);
    for (const a of addrs) {
      const lists = srv.stats.requests.filter((x) => x.path.startsWith(`/v1/accounts/${a}/`));
      expect(lists.map((x) => x.route).sort(), a).toEqual([
        "/v1/accounts/:a/transactions",
        "/v1/accounts/:a/transactions/trc20",
      ]);
    }
    // 2 requests per address, and the tip once for the run
    expect(srv.stats.byRoute["/walletsolidity/getnowblock"]).toBe(1);
    expect(srv.stats.total).toBe(1 + 2 * addrs.length);
    expect(r.requests).toBe(srv.stats.total);
    expect(await table(s)).toEqual(before);
  });

  it("a new block adds only what is new, without asking for old pages", async () => {
    const { busy, srv } = await chainWith(40, "busy-new");
    const s = await open("new", srv);
    onTestFinished(() => s.close());
    await s.ingest.ingest("tron", [busy.hub]);
    const c = busy.chain;
    const payer = c.address("payer3");
    c.sendToken(busy.usdt, payer, busy.hub, 7_000_000n);
    c.mine();
    srv.resetStats();
    const r = await s.ingest.ingest("tron", [busy.hub]);
    expect(r.addresses[0]?.transfers).toBe(1);
    expect(srv.stats.requests.filter((x) => x.path.startsWith("/v1/accounts/"))).toHaveLength(2);
    expect(await table(s)).toHaveLength(c.expected(busy.hub).length);
  });
});

describe("Tron CLI ingest killed with SIGKILL", () => {
  it("resumes to a table identical to an uninterrupted run, without duplicates", {
    tags: ["slow"],
  }, async () => {
    const { busy, srv } = await chainWith(120, "busy-kill");
    const env = { ...fast, FUNDTRACE_DEFAULT_LABELS: "0", FUNDTRACE_TRON_URL: srv.url };
    const c = busy.chain;
    const addrs = [busy.hub, c.address("payer1"), c.address("payer2"), c.address("payer5")];
    const cleanDb = join(dir, "cli-clean.duckdb");
    srv.resetStats();
    const clean = await runBin(["--db", cleanDb, "ingest", "tron", ...addrs], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout + clean.stderr).not.toContain(KEY);
    const cleanRequests = srv.stats.total;

    const db = join(dir, "cli-killed.duckdb");
    srv.resetStats();
    const child = spawn(BIN, ["--db", db, "ingest", "tron", ...addrs], {
      env: { ...process.env, ...env },
      stdio: "ignore",
    });
    const exited = new Promise<string | null>((res) => child.on("exit", (_c, sig) => res(sig)));
    const deadline = Date.now() + 60_000;
    while (srv.stats.total < Math.floor(cleanRequests * 0.6) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 2));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const read = async (p: string) => {
      const x = await createServices(loadConfig({ db: p, defaultLabels: false }, {}));
      try {
        return await table(x);
      } finally {
        x.close();
      }
    };
    const full = await read(cleanDb);
    const partial = await read(db);
    expect(partial.length).toBeLessThan(full.length);
    const again = await runBin(["--db", db, "ingest", "tron", ...addrs], env);
    expect(again.code).toBe(0);
    expect(await read(db)).toEqual(full);
    expect(readFileSync(db).includes(Buffer.from(KEY))).toBe(false);
  });
});
