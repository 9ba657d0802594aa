import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { loadavg, setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../src/api/server.ts";
import { loadConfig } from "../src/config.ts";
import type { AccountTransfer } from "../src/domain.ts";
import { createServices } from "../src/services/index.ts";
import { AccountStore } from "../src/store/accounts.ts";
import { launchChromium } from "../test/helpers/browser.ts";
import { benchArgs } from "./args.ts";
import { median } from "./stats.ts";

/**
 * The trace page in a real browser (Debian chromium) on a trace of about 2,000 wallets: a seeded
 * synthetic fan-out of native transfers on the `anvil` chain, six hops deep, stored in a real
 * DuckDB, traced by the real server (`POST /v1/trace`), drawn by the real page. Measures, per load:
 * the trace request (server), the drawing (JSON received → graph painted) and the whole page
 * (navigation → graph painted). Flags: `--nodes N` (default 2000), `--runs R` (default 5).
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const a = benchArgs(args, ["nodes", "runs"]);
  const target = a.num("nodes", 2000);
  const runs = a.num("runs", 5);
  const db = join(tmpdir(), `fundtrace-bench-ui-${process.pid}.duckdb`);
  const s = await createServices(loadConfig({ db, defaultLabels: false, offline: true }, {}));
  const browser = await launchChromium();
  try {
    const { start, transfers, labelled } = synthetic(target);
    const store = new AccountStore(s.store);
    const t0 = performance.now();
    await s.store.tx(async () => {
      for (const t of transfers) await store.upsertTransfer(t);
    });
    const storeSeconds = +((performance.now() - t0) / 1000).toFixed(1);
    const csv = ["chain,address,label,category,source,confidence,program,reference,cluster_defining"];
    for (const [a, category] of labelled)
      csv.push(`anvil,${a},bench ${category},${category},bench,50,,,false`);
    await s.labels.importBytes(Buffer.from(csv.join("\n")), "bench.csv", "csv");

    const server = await startServer(s, { host: "127.0.0.1", port: 0, apiKeys: [] });
    const url = `${server.url}/ui/trace?chain=anvil&address=${start}&hops=6&model=haircut&stopAt=&maxAddresses=10000`;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    const loadBefore = loadavg()[0]!;
    const loads: { nodes: number; edges: number; fetchMs: number; renderMs: number; pageMs: number }[] = [];
    for (let i = 0; i <= runs; i++) {
      prioritise();
      await page.goto(url);
      const g = page.locator('[data-testid="trace-graph"][data-state="rendered"]');
      await g.waitFor({ timeout: 120_000 });
      const d = await g.evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      if (i > 0)
        loads.push({
          nodes: Number(d.nodes),
          edges: Number(d.edges),
          fetchMs: Number(d.fetchMs),
          renderMs: Number(d.renderMs),
          pageMs: Number(d.pageMs),
        });
    }
    await page.screenshot({ path: join(tmpdir(), "fundtrace-bench-ui.png") });
    await server.close();
    if (errors.length) throw new Error(`console errors: ${errors.join("; ")}`);
    const m = (k: "fetchMs" | "renderMs" | "pageMs") => median(loads.map((l) => l[k]));
    return {
      method:
        "Debian chromium (headless, software rendering) via playwright-core; /ui/trace on fundtrace's server over a stored synthetic trace; renderMs = trace JSON received → graph painted (cytoscape, hop columns placed before init; dagre only up to 300 nodes)",
      transfers: transfers.length,
      storeSeconds,
      nodes: loads[0]!.nodes,
      edges: loads[0]!.edges,
      runs,
      traceRequestMs: m("fetchMs"),
      renderMs: m("renderMs"),
      pageLoadMs: m("pageMs"),
      underTwoSeconds: m("renderMs") < 2000,
      // a browser on 2 shared cores: other work on the machine slows it down (1-minute load averages)
      loadAverage: { before: +loadBefore.toFixed(1), after: +loadavg()[0]!.toFixed(1) },
      priority: PRIORITY === 0 ? "normal" : `nice ${PRIORITY} for this process and its browser`,
      loads,
    };
  } finally {
    await browser.close();
    s.close();
    for (const f of [db, `${db}.wal`]) rmSync(f, { force: true });
  }
}

/**
 * The machine is shared (other jobs keep its two cores busy): with `FUNDTRACE_BENCH_NICE=-15` (root)
 * this process and its chromium processes get that priority, so the figures measure the page, not
 * the neighbours. Default: normal priority.
 */
const PRIORITY = Number(process.env.FUNDTRACE_BENCH_NICE ?? 0);
function prioritise(): void {
  if (PRIORITY === 0) return;
  const pids = [process.pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const kids = execFileSync("pgrep", ["-P", String(pids[i])], { encoding: "utf8" });
      pids.push(...kids.split("\n").filter(Boolean).map(Number));
    } catch {
      // no children
    }
  }
  for (const pid of pids) setPriority(pid, PRIORITY);
}

/** A seeded fan-out: one start, levels of growing width, each wallet paid by one or two of the level before. */
function synthetic(target: number) {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const widths = [1, 9, 50, 180, 400, 560, 800];
  const scale = target / widths.reduce((a, b) => a + b, 0);
  const levels = widths.map((w, i) =>
    Array.from({ length: i === 0 ? 1 : Math.max(1, Math.round(w * scale)) }, (_, k) => addr(i, k)),
  );
  const transfers: AccountTransfer[] = [];
  let n = 0;
  const send = (from: string, to: string, value: bigint, block: number) =>
    transfers.push({
      chain: "anvil",
      txid: `0x${(++n).toString(16).padStart(64, "0")}`,
      kind: "native",
      seq: 0,
      blockNumber: block,
      blockHash: null,
      blockTime: 1_700_000_000 + block * 12,
      txIndex: 0,
      logIndex: null,
      traceAddress: null,
      from,
      to,
      asset: "ETH",
      symbol: "ETH",
      decimals: 18,
      value,
      success: true,
    });
  const start = levels[0]![0]!;
  send(addr(9, 0), start, 10n ** 24n, 1);
  for (let l = 1; l < levels.length; l++)
    for (const to of levels[l]!) {
      const parents = rnd() < 0.25 ? 2 : 1;
      for (let p = 0; p < parents; p++) {
        const from = levels[l - 1]![Math.floor(rnd() * levels[l - 1]!.length)]!;
        send(from, to, 10n ** BigInt(22 - l) + BigInt(Math.floor(rnd() * 1e9)), 100 * l + p);
      }
    }
  const last = levels[levels.length - 1]!;
  const labelled: [string, string][] = [];
  last.forEach((a, i) => {
    if (i % 40 === 0) labelled.push([a, "exchange"]);
    else if (i % 97 === 0) labelled.push([a, "terrorism_financing"]);
    else if (i % 61 === 0) labelled.push([a, "mixer"]);
  });
  return { start, transfers, labelled };
}

function addr(level: number, k: number): string {
  return `0x${level.toString(16).padStart(2, "0")}${k.toString(16).padStart(38, "0")}`;
}
