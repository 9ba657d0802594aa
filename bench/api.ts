import { rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { loadConfig } from "../src/config.ts";
import { createServices } from "../src/services/index.ts";
import { serve } from "../test/helpers/browser.ts";
import { benchArgs } from "./args.ts";
import { withBenchQueries } from "./queries.ts";
import { timeit } from "./stats.ts";
import { BENCH_CHAIN, benchAddress, generate } from "./trace-gen.ts";

const VIEWER = "bench-api-viewer-0123456789";
const ADMIN = "bench-api-admin-0123456789";
/** Stored addresses the lookups and screens rotate over; the imported list labels half of them. */
const ROTATION = 1000;
const SCREEN_ITEMS = 10;
const GOAL_LOOKUP_P99_MS = 50;
const STOP_GRACE_MS = 10_000;
/** A request unanswered this long is an error (autocannon's default); latencies are of answered ones. */
const TIMEOUT_SECONDS = 10;

interface Options {
  duration: number;
  connections: number;
  transfers: number;
  labels: number;
  importRows: number;
}

function options(args: string[]): Options {
  const a = benchArgs(args, ["duration", "connections", "transfers", "labels", "import-rows"]);
  const count = (flag: string, d: number) => a.num(flag, d, { min: 1 });
  return {
    duration: count("duration", 30),
    connections: count("connections", 100),
    transfers: count("transfers", 1_000_000),
    labels: count("labels", 200_000),
    importRows: count("import-rows", 100_000),
  };
}

/**
 * `npm run bench -- api`: the real `fundtrace serve` (bin/fundtrace, its own process) on the bench
 * store: the trace bench's generated Ethereum graph of `--transfers` (default 1M) transfers, `--labels`
 * (default 200k) background labels and an imported list of `--import-rows` (default 100k) labels on
 * stored addresses. autocannon drives `--connections` (default 100) keep-alive connections over
 * loopback for `--duration` seconds (default 30): half on `GET /v1/addresses/ethereum/{address}` and
 * half on `POST /v1/screen` with 10 items, rotating over 1,000 stored addresses, with a viewer key.
 * Meanwhile an admin key imports a newer version of the list through `POST /v1/labels/import`, again
 * and again until the load ends. Per kind: p50, p99, max (of answered requests), requests/s, errors
 * (non-2xx, socket errors and requests unanswered after 10 s).
 */
export async function run(args: string[]) {
  const o = options(args);
  const db = join(tmpdir(), `fundtrace-bench-api-${process.pid}.duckdb`);
  try {
    const store = await buildStore(db, o);
    console.error(
      `bench store: ${store.transfers} transfers, ${store.addresses} addresses, ${store.backgroundLabels} background labels (built in ${store.seconds} s)`,
    );
    const srv = await serve(["--db", db, "--offline", "--no-default-labels"], {
      FUNDTRACE_API_KEYS: `${VIEWER}:viewer,${ADMIN}:admin`,
    });
    let figures: Awaited<ReturnType<typeof drive>>;
    try {
      figures = await drive(srv.url, store, o);
    } catch (e) {
      await srv.stop(STOP_GRACE_MS);
      throw e;
    }
    // a server that does not exit on SIGTERM is killed after a while, and the figures say so
    const result = { ...figures, serverExitedOnSigterm: await srv.stop(STOP_GRACE_MS) };
    report(result);
    return result;
  } finally {
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  }
}

/** The load, the imports beside it, and what they gave. */
async function drive(url: string, store: BenchStore, o: Options) {
  const coldLookup = await warmUp(url, store.rotation);
  const loadStart = loadavg();
  let loading = true;
  const importing = importAgainAndAgain(url, store.listed, () => loading);
  const lookupConnections = Math.ceil(o.connections / 2);
  const [path, body] = [lookupPaths(store.rotation), screenBodies(store.rotation)];
  const t0 = performance.now();
  const [lookup, screen] = await Promise.all([
    hammer(url, lookupConnections, o.duration, {
      method: "GET",
      setupRequest: (req) => ({ ...req, path: path() }),
    }),
    hammer(url, o.connections - lookupConnections, o.duration, {
      method: "POST",
      path: "/v1/screen",
      headers: { "content-type": "application/json" },
      setupRequest: (req) => ({ ...req, body: body() }),
    }),
  ]);
  loading = false;
  const loadSeconds = (performance.now() - t0) / 1000;
  const imports = await importing;
  const loadEnd = loadavg();
  const errors = lookup.errors + screen.errors;
  const importMs = imports.map((i) => i.ms);
  const figures = {
    parameters: {
      ...o,
      lookupConnections,
      screenConnections: o.connections - lookupConnections,
      timeoutSeconds: TIMEOUT_SECONDS,
    },
    store: {
      transfers: store.transfers,
      addresses: store.addresses,
      backgroundLabels: store.backgroundLabels,
      listRows: store.listed.length,
      rotation: store.rotation.length,
      buildSeconds: store.seconds,
    },
    coldLookup: {
      ...coldLookup,
      note: "each rotation address looked up once, one request at a time, before the load: nothing kept yet",
    },
    lookup,
    screen: { ...screen, itemsPerRequest: SCREEN_ITEMS },
    errors,
    imports: {
      done: imports.length,
      succeeded: imports.filter((i) => i.ok).length,
      rows: store.listed.length,
      ms: importMs.map(Math.round),
      // share of the load's wall time during which an import was in flight
      busyShare: +Math.min(1, importMs.reduce((a, b) => a + b, 0) / 1000 / loadSeconds).toFixed(2),
    },
    loadAverage: { start: loadStart.map(round2), end: loadEnd.map(round2) },
    goal: {
      lookupP99MsAtMost: GOAL_LOOKUP_P99_MS,
      errors: 0,
      met: lookup.p99 <= GOAL_LOOKUP_P99_MS && errors === 0,
    },
  };
  return figures;
}

interface BenchStore {
  transfers: number;
  addresses: number;
  backgroundLabels: number;
  /** Stored addresses the load rotates over. */
  rotation: string[];
  /** Stored addresses of the imported list (the second half of the rotation and beyond). */
  listed: string[];
  seconds: number;
}

/** Generates the store in this process, then closes it: `serve` opens the file in its own. */
async function buildStore(db: string, o: Options): Promise<BenchStore> {
  const s = await createServices(loadConfig({ db, defaultLabels: false, offline: true }, {}));
  withBenchQueries(s.store);
  try {
    const t = await timeit(async () => {
      const g = await generate(s.store, o.transfers);
      const sample = await s.store.all("bench.api_addresses", {
        chain: BENCH_CHAIN,
        n: BigInt(ROTATION / 2 + o.importRows),
      });
      const addresses = sample.map((r) => String(r.address));
      // background: labels of addresses the store holds no history of, as a bundled list has
      const background = Array.from({ length: o.labels }, (_, i) => benchAddress(7, i));
      await s.labels.importBytes(labelCsv(background, "bench-background", 0), "bench-background.csv", "csv");
      // the list as first published: the load imports its newer versions
      const listed = addresses.slice(ROTATION / 2);
      await s.labels.importBytes(labelCsv(listed, "bench-list", 0), "bench-list-v0.csv", "csv");
      await s.store.checkpoint();
      return { g, addresses };
    });
    const { g, addresses } = t.value;
    return {
      transfers: g.transfers,
      addresses: g.addresses,
      // every stored label but the list's
      backgroundLabels: Number((await s.store.one("labels.total"))?.n) - (addresses.length - ROTATION / 2),
      rotation: addresses.slice(0, ROTATION),
      listed: addresses.slice(ROTATION / 2),
      seconds: +(t.ms / 1000).toFixed(1),
    };
  } finally {
    s.close();
  }
}

/** A label list as CSV; version `rev` relabels every 100th row, as a newer edition of a list does. */
function labelCsv(addresses: string[], source: string, rev: number): Buffer {
  const changed = rev % Math.min(100, addresses.length);
  const rows = addresses.map(
    (a, i) => `${BENCH_CHAIN},${a},${i % 100 === changed ? `listed v${rev}` : "listed"},exchange,${source}`,
  );
  return Buffer.from(["chain,address,label,category,source", ...rows].join("\n"));
}

interface ImportRun {
  ms: number;
  /** 200, a real replacement (not `unchanged`), every row read. */
  ok: boolean;
}

/** Newer versions of the list through the API, one after another while `going()`. */
async function importAgainAndAgain(
  url: string,
  listed: string[],
  going: () => boolean,
): Promise<ImportRun[]> {
  const runs: ImportRun[] = [];
  for (let rev = 1; going(); rev++) {
    const body = JSON.stringify({
      name: `bench-list-v${rev}.csv`,
      format: "csv",
      content: labelCsv(listed, "bench-list", rev).toString(),
    });
    const t = performance.now();
    const r = await fetch(`${url}/v1/labels/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body,
    });
    const answer = (await r.json()) as { rows?: number; unchanged?: boolean };
    const ms = performance.now() - t;
    const ok = r.status === 200 && answer.unchanged === false && answer.rows === listed.length;
    if (!ok) console.error(`import v${rev}: ${r.status} ${JSON.stringify(answer).slice(0, 300)}`);
    runs.push({ ms, ok });
  }
  return runs;
}

/** Paths of address lookups, rotating over the stored addresses. */
function lookupPaths(rotation: string[]): () => string {
  let next = 0;
  return () => `/v1/addresses/${BENCH_CHAIN}/${rotation[next++ % rotation.length]}`;
}

/** Screen request bodies of 10 items, rotating over the stored addresses. */
function screenBodies(rotation: string[]): () => string {
  let next = 0;
  return () => {
    const items = Array.from({ length: SCREEN_ITEMS }, () => ({
      chain: BENCH_CHAIN,
      address: rotation[next++ % rotation.length]!,
    }));
    return JSON.stringify({ items });
  };
}

/**
 * Before the load, as on a server that has been up a while: one lookup of every address of the rotation,
 * and a screen of each, one request at a time. The lookups are timed: they are what an address costs
 * the first time (nothing kept yet), reported as `coldLookup`.
 */
async function warmUp(url: string, rotation: string[]) {
  const [path, body] = [lookupPaths(rotation), screenBodies(rotation)];
  const headers = { authorization: `Bearer ${VIEWER}`, "content-type": "application/json" };
  const ms: number[] = [];
  for (let i = 0; i < rotation.length; i++) {
    const t = performance.now();
    const r = await fetch(`${url}${path()}`, { headers });
    await r.arrayBuffer();
    ms.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`warm-up ${r.url}: ${r.status}`);
  }
  for (let i = 0; i < rotation.length / SCREEN_ITEMS; i++) {
    const r = await fetch(`${url}/v1/screen`, { method: "POST", headers, body: body() });
    if (r.status !== 200) throw new Error(`warm-up ${r.url}: ${r.status} ${await r.text()}`);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => +ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(1);
  return { lookups: ms.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

interface Load {
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Non-2xx answers plus socket errors and timeouts. */
  errors: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/** `connections` keep-alive connections sending `request` for `seconds`, with the viewer key. */
async function hammer(url: string, connections: number, seconds: number, request: autocannon.Request) {
  const r = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: TIMEOUT_SECONDS,
    headers: { authorization: `Bearer ${VIEWER}` },
    requests: [request],
  });
  const statusCodes = Object.fromEntries(
    Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count ?? 0)]),
  );
  const requests = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    requests,
    requestsPerSecond: Math.round(requests / r.duration),
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.non2xx + r.errors,
    non2xx: r.non2xx,
    socketErrors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
  } satisfies Load;
}

function report(f: {
  coldLookup: { lookups: number; p50: number; p99: number };
  lookup: Load;
  screen: Load;
  errors: number;
  imports: { done: number; succeeded: number; rows: number; busyShare: number };
  loadAverage: { start: number[]; end: number[] };
  goal: { met: boolean };
  serverExitedOnSigterm: boolean;
}): void {
  const line = (name: string, l: Load) =>
    `${name}: p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms, ${l.requestsPerSecond} requests/s, ${l.errors} errors`;
  const c = f.coldLookup;
  console.error(`first lookup of an address (${c.lookups}, one at a time): p50 ${c.p50} ms, p99 ${c.p99} ms`);
  console.error(line("GET /v1/addresses", f.lookup));
  console.error(line(`POST /v1/screen (${SCREEN_ITEMS} items)`, f.screen));
  console.error(
    `label imports of ${f.imports.rows} rows: ${f.imports.done} done, ${f.imports.succeeded} succeeded, in flight ${Math.round(f.imports.busyShare * 100)}% of the time`,
  );
  console.error(`load average (1, 5, 15 min): ${f.loadAverage.start} at start, ${f.loadAverage.end} at end`);
  if (!f.serverExitedOnSigterm)
    console.error(`serve did not exit within ${STOP_GRACE_MS / 1000} s of SIGTERM: killed`);
  console.error(
    `goal (address lookup p99 <= ${GOAL_LOOKUP_P99_MS} ms, 0 errors, during label imports): ${f.goal.met ? "met" : "not met"}`,
  );
}

function round2(x: number): number {
  return +x.toFixed(2);
}
