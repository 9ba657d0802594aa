import { existsSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { loadConfig } from "../config.ts";
import { formatAmount } from "../core/amount.ts";
import { startEsploraServer } from "../devchain/esplora-server.ts";
import { type AnvilNode, startAnvil } from "../devchain/evm.ts";
import { startTronServer, type TronServer } from "../devchain/tron-server.ts";
import { BadInputError } from "../errors.ts";
import { jsonSafe } from "../json.ts";
import { createServices, type Services } from "../services/index.ts";
import type { TraceRequest, TraceResponse } from "../services/trace.ts";
import { Store } from "../store/db.ts";
import { buildBtcDemo, buildEvmDemo, buildTronDemo, DEMO_LABELLED, type TronDemo } from "./scenario.ts";

export interface DemoOptions {
  /** DuckDB file; recreated on every run (default ./data/demo.duckdb). */
  db: string;
  /** Where the evidence packages and the case export go (default beside the DB). */
  out?: string;
  progress?: (line: string) => void;
}

const MODELS = ["poison", "haircut", "fifo"] as const;

export interface DemoEndpoint {
  address: string;
  labels: string[];
  categories: string[];
  stop: boolean;
  amount: string;
  asset: string;
  symbol: string | null;
  decimals: number | null;
  hops: number;
  paths: string[][];
}

export interface DemoTrace {
  chain: string;
  model: string;
  start: string[];
  maxHops: number;
  endpoints: DemoEndpoint[];
  addressesVisited: number;
  requests: number;
}

export interface DemoReport {
  seconds: number;
  db: string;
  bitcoin: {
    flagged: string;
    cluster: { size: number; members: string[]; evidence: { txid: string; heuristic: string }[] };
    coinjoins: Record<string, number>;
    traces: DemoTrace[];
    exposure: { band: string; score: number; reasons: string[] };
  };
  token: {
    chain: string;
    token: string;
    flagged: string;
    traces: DemoTrace[];
    exposure: { band: string; score: number; reasons: string[] };
  };
  tron: {
    chain: "tron";
    token: string;
    /** The fake "USDT" spam the collector received: another contract, never mixed with USDT. */
    spam: { token: string; txid: string; balance: string };
    flagged: string;
    traces: DemoTrace[];
    exposure: { band: string; score: number; reasons: string[] };
  };
  analyst: { query: string; endpoints: number; digest: string };
  evidence: { dir: string; files: string[] };
  requests: { esplora: number; evmRpc: number; tronGrid: number };
}

export interface DemoRun {
  report: DemoReport;
  services: Services;
  /** Stops the local chain servers and closes the store. */
  stop(): Promise<void>;
}

function demoTrace(r: TraceResponse): DemoTrace {
  return {
    chain: r.chain,
    model: r.model,
    start: r.start,
    maxHops: r.maxHops,
    endpoints: [...r.endpoints]
      .sort((a, b) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : 0))
      .map((e) => ({
        address: e.address,
        labels: e.labels,
        categories: e.categories,
        stop: e.stop,
        amount: e.amount.toString(),
        asset: e.asset,
        symbol: e.symbol ?? null,
        decimals: e.decimals ?? null,
        hops: e.hops,
        paths: e.paths.map((p) => p.hops.map((h) => h.txid)),
      })),
    addressesVisited: r.stats.addressesVisited,
    requests: r.stats.requests,
  };
}

/**
 * The whole job offline: local Esplora-compatible server and anvil with the demo story, ingest through
 * the real adapters, clustering, a trace per taint model, exposure, a saved query, a case, evidence.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoRun> {
  const t0 = performance.now();
  const say = opts.progress ?? (() => {});
  await guardDemoDb(opts.db);
  for (const f of [opts.db, `${opts.db}.wal`]) rmSync(f, { force: true });
  await mkdir(dirname(opts.db), { recursive: true });
  const out = opts.out ?? join(dirname(opts.db), "demo-evidence");
  // only what the demo writes; never the folder itself (it may be a user's)
  for (const d of ["case", "token-haircut"]) rmSync(join(out, d), { recursive: true, force: true });

  say("building the Bitcoin demo chain (signed mainnet-format transactions)");
  const btc = buildBtcDemo();
  const esplora = await startEsploraServer(btc.chain);
  let node: AnvilNode | undefined;
  let tronGrid: TronServer | undefined;
  let s: Services | undefined;
  const stop = async () => {
    s?.close();
    await esplora.close();
    await node?.stop();
    await tronGrid?.close();
  };
  try {
    say("starting a local EVM node (anvil) with a USDT-like token");
    node = await startAnvil();
    const evm = await buildEvmDemo(node);
    say("building the Tron demo chain (real-format transactions) behind a local TronGrid-compatible API");
    const tron = buildTronDemo();
    tronGrid = await startTronServer(tron.chain);

    say("opening the store and loading the bundled labels (OFAC SDN, NBCTF, exchanges)");
    s = await createServices(
      loadConfig(
        { db: opts.db, esploraUrl: esplora.url, evmRpcUrl: node.url, tronUrl: tronGrid.url },
        { ...process.env, FUNDTRACE_RPS: "200", FUNDTRACE_DEFAULT_LABELS: "1" },
      ),
    );

    say(`ingesting the flagged vendor address ${btc.flagged} from the local Esplora`);
    await s.ingest.ingest("bitcoin", [btc.flagged]);
    say("clustering (multi-input; CoinJoins never merge)");
    const cl = await s.clusters.cluster("bitcoin");
    const cluster = await s.clusters.show("bitcoin", btc.flagged);
    // Every address of the vendor's cluster is a start: that is what the cluster is for.
    const starts = [...cluster.members].sort();
    for (const a of starts) if (a !== btc.flagged) await s.ingest.ingest("bitcoin", [a]);
    const btcTraces: DemoTrace[] = [];
    for (const model of MODELS) {
      say(`tracing the vendor's bitcoin forward, ${model} model`);
      const req: TraceRequest = { chain: "bitcoin", addresses: starts, model, maxHops: 8, maxAddresses: 200 };
      btcTraces.push(demoTrace(await s.traces.trace(req)));
    }
    // later clustering sees the transactions the traces fetched (the CoinJoin among them)
    const cl2 = await s.clusters.cluster("bitcoin");

    say(`ingesting the token flow of ${evm.vendor} from anvil over JSON-RPC`);
    await s.ingest.ingest("anvil", [evm.vendor]);
    const evmTraces: DemoTrace[] = [];
    for (const model of MODELS) {
      say(`tracing the vendor's USDT forward, ${model} model`);
      evmTraces.push(
        demoTrace(await s.traces.trace({ chain: "anvil", addresses: [evm.vendor], model, maxHops: 4 })),
      );
    }
    const tronLeg = await tronTraces(s, tron, say);

    say("saving the haircut trace as a query, running it, and opening a case");
    const query: TraceRequest = {
      chain: "bitcoin",
      addresses: starts,
      model: "haircut",
      maxHops: 8,
      maxAddresses: 200,
    };
    await s.queries.save("demo-vendor", query);
    const run = await s.queries.run("demo-vendor");
    await s.cases.create("demo", {
      title: "Darknet vendor proceeds to exchanges and a terror financier",
      description: "fundtrace demo: made-up transactions, real labelled endpoints",
    });
    for (const a of starts)
      await s.cases.addWallet("demo", "bitcoin", a, {
        label: "darknet vendor (demo)",
        category: "market",
        note: a === btc.flagged ? "seen on a market listing" : "same owner: multi-input",
      });
    await s.cases.addWallet("demo", "anvil", evm.vendor, {
      label: "darknet vendor (demo)",
      category: "market",
    });
    await s.cases.addQuery("demo", "demo-vendor");
    await s.cases.addNote("demo", "vendor proceeds reach two exchanges and an OFAC SDGT-listed address");
    // exposure once the case has labelled the vendor's wallets: the report then shows what the
    // database answers afterwards (`exposure … --direction out` on it gives the same score and reasons)
    const btcExposure = await s.traces.exposure("bitcoin", btc.flagged, { hops: 8, direction: "out" });
    const evmExposure = await s.traces.exposure("anvil", evm.vendor, { hops: 4, direction: "out" });

    say(`writing the evidence packages to ${out}`);
    const files: string[] = [];
    const caseFiles = await s.cases.exportTo("demo", join(out, "case"), s.evidence);
    files.push(...caseFiles.map((f) => join("case", f)));
    const tokenTrace = await s.traces.trace({
      chain: "anvil",
      addresses: [evm.vendor],
      model: "haircut",
      maxHops: 4,
    });
    const tokenPkg = await s.evidence.build(
      { chain: "anvil", addresses: [evm.vendor], model: "haircut", maxHops: 4 },
      tokenTrace,
    );
    for (const f of await s.evidence.writeDir(join(out, "token-haircut"), tokenPkg, tokenTrace))
      files.push(join("token-haircut", f));

    const risk = (r: { risk: { band: string; score: number; reasons: string[] } }) => ({
      band: r.risk.band,
      score: r.risk.score,
      reasons: r.risk.reasons,
    });
    const report: DemoReport = {
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
      db: opts.db,
      bitcoin: {
        flagged: btc.flagged,
        cluster: {
          size: cluster.size,
          members: starts,
          evidence: cluster.evidence.map((e) => ({ txid: e.txid, heuristic: e.heuristic })),
        },
        coinjoins: { ...cl.coinjoins, ...cl2.coinjoins },
        traces: btcTraces,
        exposure: risk(btcExposure),
      },
      token: {
        chain: "anvil",
        token: evm.token,
        flagged: evm.vendor,
        traces: evmTraces,
        exposure: risk(evmExposure),
      },
      tron: { ...tronLeg, exposure: risk(tronLeg.exposure) },
      analyst: { query: "demo-vendor", endpoints: run.endpoints.length, digest: run.digest },
      evidence: { dir: out, files },
      requests: {
        esplora: esplora.stats.total,
        evmRpc: s.source("anvil").counter.requests,
        tronGrid: tronGrid.stats.total,
      },
    };
    return { report: jsonSafe(report) as DemoReport, services: s, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The Tron leg: the collector's USDT followed under each model, its exposure, the spam kept apart. */
async function tronTraces(s: Services, tron: TronDemo, say: (line: string) => void) {
  say(`ingesting the donation collector ${tron.collector} from the local TronGrid`);
  await s.ingest.ingest("tron", [tron.collector]);
  const traces: DemoTrace[] = [];
  for (const model of MODELS) {
    say(`tracing the collector's USDT-TRC20 forward, ${model} model`);
    traces.push(
      demoTrace(await s.traces.trace({ chain: "tron", addresses: [tron.collector], model, maxHops: 4 })),
    );
  }
  const exposure = await s.traces.exposure("tron", tron.collector, { hops: 4, direction: "out" });
  const fake = (await s.addresses.info("tron", tron.collector)).assets?.find(
    (a) => a.asset === tron.fakeToken,
  );
  return {
    chain: "tron" as const,
    token: tron.token,
    spam: { token: tron.fakeToken, txid: tron.txids.spam, balance: fake?.balance ?? "0" },
    flagged: tron.collector,
    traces,
    exposure,
  };
}

/** The demo recreates its database: refuse a file that holds anything but an earlier demo. */
async function guardDemoDb(db: string): Promise<void> {
  if (!existsSync(db)) return;
  const st = await Store.open(db);
  try {
    const demo = await st.one("cases.get", { name: "demo" });
    const n = Number(
      (
        await st.sql("SELECT (SELECT count(*) FROM utxo_txs) + (SELECT count(*) FROM account_transfers) AS n")
      )[0]?.n ?? 0,
    );
    if (!demo && n > 0)
      throw new BadInputError(
        `${db} holds data that is not from the demo; the demo recreates its database, give it its own --db`,
      );
  } finally {
    st.close();
  }
}

/** The labelled endpoints the demo must reach (for the test and the report's check line). */
export const DEMO_EXPECTED = DEMO_LABELLED;

/** The report for people. */
export function demoText(r: DemoReport): string {
  const L: string[] = [];
  const short = (t: string) => `${t.slice(0, 10)}…`;
  const traces = (ts: DemoTrace[]) => {
    for (const t of ts) {
      L.push(`  ${t.model.toUpperCase()} (${t.addressesVisited} addresses expanded)`);
      for (const e of t.endpoints) {
        L.push(
          `    ${formatAmount(e.amount, e.decimals, e.symbol).padStart(18)}  hop ${e.hops}  ${e.address}  ${e.categories.join(",")}${e.stop ? " [stop]" : ""}  ${e.labels.slice(0, 2).join("; ")}`,
        );
      }
      const top = t.endpoints.find((e) => e.categories.includes("terrorism_financing")) ?? t.endpoints[0];
      const p = top?.paths[0];
      if (top && p) L.push(`      path to ${top.address}: ${p.map(short).join(" → ")}`);
    }
  };
  L.push("fundtrace demo: a darknet vendor's money, followed to exchanges and terror financiers");
  L.push(
    "(made-up transactions on local chains; the exchanges and terror-financing wallets are real labelled addresses)",
  );
  L.push("");
  L.push(`BITCOIN: flagged ${r.bitcoin.flagged}`);
  L.push(
    `  cluster: ${r.bitcoin.cluster.size} addresses of one owner (${[...new Set(r.bitcoin.cluster.evidence.map((e) => `${e.heuristic} in ${short(e.txid)}`))].join(", ")})`,
  );
  L.push(
    `  CoinJoins detected (never merged): ${
      Object.entries(r.bitcoin.coinjoins)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"
    }`,
  );
  traces(r.bitcoin.traces);
  L.push(
    `  exposure of ${r.bitcoin.flagged}: risk ${r.bitcoin.exposure.band.toUpperCase()} (${r.bitcoin.exposure.score})`,
  );
  for (const x of r.bitcoin.exposure.reasons.slice(0, 3)) L.push(`    - ${x}`);
  L.push("");
  L.push(`TOKEN (USDT-like, ${r.token.chain}): flagged ${r.token.flagged}`);
  traces(r.token.traces);
  L.push(
    `  exposure of ${r.token.flagged}: risk ${r.token.exposure.band.toUpperCase()} (${r.token.exposure.score})`,
  );
  for (const x of r.token.exposure.reasons.slice(0, 3)) L.push(`    - ${x}`);
  L.push("");
  L.push(`TRON (USDT-TRC20 ${r.tron.token}): donation collector ${r.tron.flagged}`);
  L.push(
    `  spam: ${formatAmount(r.tron.spam.balance, 6, "USDT")} of a fake "USDT" (contract ${r.tron.spam.token}) kept as its own asset`,
  );
  traces(r.tron.traces);
  L.push(
    `  exposure of ${r.tron.flagged}: risk ${r.tron.exposure.band.toUpperCase()} (${r.tron.exposure.score})`,
  );
  for (const x of r.tron.exposure.reasons.slice(0, 3)) L.push(`    - ${x}`);
  L.push("");
  // the demo's chains are gone once it stops: later commands work on what is stored, hence --offline
  const cmd = `fundtrace --db ${r.db} --offline`;
  L.push(
    `saved query "${r.analyst.query}": ${r.analyst.endpoints} endpoints (rerun: ${cmd} query run ${r.analyst.query})`,
  );
  L.push(`evidence packages and the case "demo" (TagPack + evidence): ${r.evidence.dir}`);
  L.push(`done in ${r.seconds} s; database ${r.db}`);
  L.push("");
  L.push("Once the demo has stopped, explore its database offline (the local chains are gone):");
  L.push(`  ${cmd} address bitcoin ${r.bitcoin.flagged}`);
  L.push(`  ${cmd} trace bitcoin ${r.bitcoin.flagged} --hops 8 --model fifo --cluster`);
  L.push(`  ${cmd} exposure bitcoin ${r.bitcoin.flagged} --hops 8 --direction out`);
  L.push(`  ${cmd} case show demo`);
  return `${L.join("\n")}\n`;
}
