import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { DevChain } from "../../src/devchain/bitcoin.ts";
import { type EsploraServer, startEsploraServer } from "../../src/devchain/esplora-server.ts";
import { createServices, type Services } from "../../src/services/index.ts";

export const SECRET = "whsec-test-0123456789abcdef";

/** A labels CSV with one row per [address, category, label]; `source` names its dataset (`csv:SOURCE`). */
export function labelCsv(rows: [string, string, string][], source = "test list"): Buffer {
  const head = "chain,address,label,category,source,confidence,program,reference,cluster_defining\n";
  return Buffer.from(
    head + rows.map(([a, cat, label]) => `bitcoin,${a},${label},${cat},${source},80,,,false\n`).join(""),
  );
}

/**
 * A small Bitcoin world for the watch: a customer W paid a counterparty C, which paid another customer D;
 * T is a terror-financing wallet nobody has paid yet; S an unrelated address. W keeps its change.
 */
export function watchWorld(seed: string) {
  const c = new DevChain({ seed });
  const customer = c.wallet("customer");
  const counterparty = c.wallet("counterparty");
  const W = customer.address();
  const C = counterparty.address();
  const D = c.wallet("other").address();
  const T = c.wallet("terror").address();
  const S = c.wallet("stranger").address();
  c.fund(W, 2_000_000n);
  c.fund(C, 1_000_000n);
  c.mine();
  const t1 = c.send({ from: customer, to: [{ address: C, value: 300_000n }], fee: 1_000n, changeAddress: W });
  c.mine();
  const t2 = c.send({
    from: counterparty,
    to: [{ address: D, value: 200_000n }],
    fee: 1_000n,
    changeAddress: C,
  });
  c.mine();
  /** W pays T: a new transaction on the chain. */
  const payTerror = (value: bigint) => {
    const t = c.send({ from: customer, to: [{ address: T, value }], fee: 1_000n, changeAddress: W });
    c.mine();
    return t.txid;
  };
  return { chain: c, W, C, D, T, S, t1: t1.txid, t2: t2.txid, payTerror };
}

/** Services over a fresh database and a local Esplora server of `chain`, closed when the test ends. */
export async function watchServices(
  chain: DevChain,
  env: Record<string, string> = {},
): Promise<{ s: Services; server: EsploraServer; db: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "fundtrace-watch-"));
  const server = await startEsploraServer(chain);
  const db = join(dir, "watch.duckdb");
  const s = await createServices(
    loadConfig(
      { db, defaultLabels: false, esploraUrl: server.url },
      {
        FUNDTRACE_RETRY_BASE_MS: "5",
        FUNDTRACE_RPS: "1000",
        FUNDTRACE_WEBHOOK_RETRY_BASE_MS: "20",
        ...env,
      },
    ),
  );
  onTestFinished(async () => {
    s.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { s, server, db, dir };
}
