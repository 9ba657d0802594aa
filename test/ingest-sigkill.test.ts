import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import type { EsploraServer } from "../src/devchain/esplora-server.ts";
import { createServices } from "../src/services/index.ts";
import { startServer, utxoTables, vendorScenario } from "./helpers/btc.ts";
import { BIN, runBin } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
let server: EsploraServer;
let A: string;

beforeAll(async () => {
  const s = vendorScenario("sigkill");
  A = s.A;
  server = await startServer(s.chain);
});
afterAll(async () => server.close());

const env = () => ({
  FUNDTRACE_ESPLORA_URL: server.url,
  FUNDTRACE_DEFAULT_LABELS: "0",
  FUNDTRACE_RPS: "1000",
});

async function tables(db: string) {
  const s = await createServices(loadConfig({ db, defaultLabels: false }, {}));
  try {
    return await utxoTables(s);
  } finally {
    s.close();
  }
}

describe("CLI ingest killed with SIGKILL", { tags: ["slow"] }, () => {
  it("resumes to tables identical to an uninterrupted run", async () => {
    const cleanDb = join(dir, "clean.duckdb");
    const r = await runBin(["--db", cleanDb, "--json", "ingest", "bitcoin", A], env());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const want = await tables(cleanDb);
    expect(want.utxo_txs!.length).toBeGreaterThan(60);

    const db = join(dir, "killed.duckdb");
    server.resetStats();
    server.setLatency(15);
    const child = spawn(BIN, ["--db", db, "ingest", "bitcoin", A], {
      env: { ...process.env, ...env() },
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((res) =>
      child.on("exit", (_c, sig) => res(sig === "SIGKILL" ? -9 : _c)),
    );
    // kill it once it has fetched the first pages and part of the spends
    const deadline = Date.now() + 60_000;
    while ((server.stats.byRoute["/tx/:txid/outspends"] ?? 0) < 35 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 5));
    }
    child.kill("SIGKILL");
    expect(await exited).toBe(-9);
    server.setLatency(0);
    const partial = await tables(db);
    expect(partial.utxo_txs!.length).toBeGreaterThan(0);
    expect(partial.utxo_txs!.length).toBeLessThan(want.utxo_txs!.length);

    const again = await runBin(["--db", db, "ingest", "bitcoin", A], env());
    expect(again.code).toBe(0);
    expect(await tables(db)).toEqual(want);
  });
});
