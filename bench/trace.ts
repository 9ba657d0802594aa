import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance, type DuckDBValue } from "@duckdb/node-api";
import type { AddressLabels } from "../src/core/trace.ts";
import { trace } from "../src/core/trace.ts";
import { CsrBuilder } from "../src/core/trace-csr.ts";
import { Store } from "../src/store/db.ts";
import { benchQueries, withBenchQueries } from "./queries.ts";
import { median, peakRssMiB, timeit } from "./stats.ts";
import { BENCH_CHAIN, generate } from "./trace-gen.ts";

/**
 * 6-hop haircut forward traces on a synthetic account graph of N transfers (default 10M), against a
 * plain 6-hop BFS in NetworkX and a naive DuckDB recursive CTE, from the same starts on the same graph.
 * Each method runs in its own process (so its RSS is its own): `--child haircut|poison|cte`, python3 for NetworkX.
 */
const HOPS = 6;
const STARTS = 9;
const SEED = 42;
const HUB_PREFIX = "0x01";
const CTE_TIMEOUT_MS = 60_000;
const CTE_MAX_TIMEOUTS = 3;
/** Like-for-like poison traces: the first few starts only (one takes minutes and GBs at 10M). */
const POISON_STARTS = 3;
const POISON_TIMEOUT_MS = 15 * 60_000;
const POISON_HEAP_MIB = 10_240;
/** DuckDB settings of the child that traces (its buffer pool counts in that process's RSS). */
const DUCKDB_MEMORY = "256MB";
const DUCKDB_THREADS = "2";
const SELF = fileURLToPath(import.meta.url);

const log = (s: string) => console.error(`[trace] ${s}`);
const secs = (ms: number, d = 2) => +(ms / 1000).toFixed(d);
const peakMiB = peakRssMiB;
const rssNowMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);

interface OursRun {
  start: string;
  ms: number;
  addressesVisited: number;
  addressesReached: number;
  txsVisited: number;
  endpoints: number;
}
interface OursOut {
  transfers: number;
  addresses: number;
  loadSeconds: number;
  dictionarySeconds: number;
  transfersSeconds: number;
  graphTypedMiB: number;
  rssAfterLoadMiB: number;
  labelledExchanges: number;
  warmupMs: number;
  runs: OursRun[];
  peakRssMiB: number;
}
interface NxOut {
  networkx: string;
  nodes: number;
  edges: number;
  buildSeconds: number;
  runs: { start: string; ms: number; reached: number }[];
  peakRssMiB: number;
}

/** DuckDB for the child that traces: a small buffer pool (its memory counts in our RSS). */
async function openDuck(db: string) {
  const instance = await DuckDBInstance.create(db, { memory_limit: DUCKDB_MEMORY, threads: DUCKDB_THREADS });
  const conn = await instance.connect();
  const queries = benchQueries();
  /** Streams a named query chunk by chunk (DuckDB vectors of up to 2048 rows), never the whole result. */
  const each = async (
    name: string,
    params: Record<string, DuckDBValue>,
    fn: (cols: Record<string, DuckDBValue[]>) => void,
  ) => {
    const s = await conn.prepare(queries.get(name)!.sql);
    s.bind(params);
    const r = await s.stream();
    const names = r.columnNames();
    // the next chunk is fetched (on a DuckDB thread) while this one is converted
    for (let c = await r.fetchChunk(); c && c.rowCount > 0; ) {
      const next = r.fetchChunk();
      fn(c.getColumnsObject(names));
      c = await next;
    }
    s.destroySync();
  };
  const close = () => {
    conn.closeSync();
    instance.closeSync();
  };
  return { each, close };
}

type Variant = "haircut" | "poison";

/**
 * Child: load the store into the CSR graph and trace from each start. "haircut": the trace
 * (hubs labelled exchange stop the flow). "poison": like-for-like with the BFS baselines (no stop,
 * taint follows every later transfer).
 */
async function childOurs(db: string, starts: string[], expected: number, variant: Variant): Promise<OursOut> {
  const duck = await openDuck(db);
  const chain = BENCH_CHAIN;
  const phase = { dictionarySeconds: 0, transfersSeconds: 0 };
  const load = await timeit(async () => {
    const t0 = performance.now();
    const b = new CsrBuilder({ expectedTransfers: expected, expectedTxs: expected, complete: "all" });
    await duck.each("bench.trace_addresses", { chain }, (c) => b.addAddresses(c.address as string[]));
    phase.dictionarySeconds = secs(performance.now() - t0);
    log(`address dictionary in ${phase.dictionarySeconds} s, rss ${rssNowMiB()} MiB`);
    await duck.each("bench.trace_transfer_ids", { chain }, (c) =>
      b.addTransfers({
        txid: c.txid as string[],
        kind: c.kind as string[],
        seq: c.seq as number[],
        blockNumber: c.block_number as number[],
        txIndex: c.tx_index as number[],
        fromId: c.from_id as number[],
        toId: c.to_id as number[],
        asset: c.asset as string[],
        value: c.value as bigint[],
        success: c.success as boolean[],
      }),
    );
    phase.transfersSeconds = secs(performance.now() - t0 - phase.dictionarySeconds * 1000);
    log(`transfers in ${phase.transfersSeconds} s, rss ${rssNowMiB()} MiB`);
    return b.build();
  });
  const g = load.value;
  const labels = new Map<string, AddressLabels>();
  await duck.each("bench.trace_hubs", { chain, prefix: HUB_PREFIX }, (c) => {
    for (const a of c.address as string[])
      labels.set(a, { categories: ["exchange"], labels: [`Exchange ${labels.size + 1}`] });
  });
  duck.close();
  const rssAfterLoad = rssNowMiB();
  log(
    `CSR graph: ${g.transferCount} transfers, ${g.addressCount} addresses in ${secs(load.ms)} s, rss ${rssAfterLoad} MiB`,
  );
  const params = (start: string) => ({
    start,
    direction: "forward" as const,
    model: variant,
    maxHops: HOPS,
    // poison: no labels, so no endpoints and no path search (BFS only counts what it reaches)
    ...(variant === "poison" ? { stopAt: [] } : { labels }),
    includeGraph: false,
  });
  // poison: no warmup (one run takes minutes); each run is printed so a killed child still reports
  const w0 = performance.now();
  if (variant === "haircut") trace(g, params(starts[0]!));
  const warmupMs = performance.now() - w0;
  const runs: OursRun[] = [];
  for (const start of starts) {
    const t0 = performance.now();
    const r = trace(g, params(start));
    const ms = performance.now() - t0;
    runs.push({
      start,
      ms: +ms.toFixed(1),
      addressesVisited: r.stats.addressesVisited,
      addressesReached: r.stats.addressesReached,
      txsVisited: r.stats.txsVisited,
      endpoints: r.endpoints.length,
    });
    console.log(JSON.stringify({ run: runs.at(-1), peakRssMiB: peakMiB() }));
    log(
      `${variant} ${start}: ${ms.toFixed(0)} ms, visited ${r.stats.addressesVisited}, reached ${r.stats.addressesReached}`,
    );
  }
  return {
    transfers: g.transferCount,
    addresses: g.addressCount,
    loadSeconds: secs(load.ms),
    ...phase,
    graphTypedMiB: Math.round(g.typedBytes() / 2 ** 20),
    rssAfterLoadMiB: rssAfterLoad,
    labelledExchanges: labels.size,
    warmupMs: +warmupMs.toFixed(1),
    runs,
    peakRssMiB: peakMiB(),
  };
}

/** Child: one naive recursive-CTE reachability query (the parent kills it at the timeout). */
async function childCte(db: string, start: string): Promise<{ ms: number; reached: number }> {
  const store = withBenchQueries(await Store.open(db));
  try {
    await store.prepareNamed("bench.trace_cte_reach");
    const t = await timeit(() =>
      store.one("bench.trace_cte_reach", { chain: BENCH_CHAIN, start, max_hops: HOPS }),
    );
    return { ms: +t.ms.toFixed(1), reached: Number(t.value?.reached ?? 0) };
  } finally {
    store.close();
  }
}

function spawnChild(
  args: string[],
  timeoutMs: number,
  nodeArgs: string[] = [],
  tolerateFailure = false,
): { out: unknown; timedOut: boolean; failed: string | null; ms: number; lines: unknown[] } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...nodeArgs, "--import", "tsx", SELF, "--child", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 2 ** 20,
  });
  const ms = performance.now() - t0;
  const lines = (r.stdout ?? "")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as unknown);
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT")
    return { out: null, timedOut: true, failed: null, ms, lines };
  if (r.status !== 0) {
    const why = `child ${args[0]} failed (${r.status ?? r.signal}): ${r.error ?? ""}`;
    if (!tolerateFailure) throw new Error(why);
    return { out: null, timedOut: false, failed: why, ms, lines };
  }
  return { out: lines.at(-1), timedOut: false, failed: null, ms, lines };
}

function ensureNetworkx(): void {
  const ok = () => spawnSync("python3", ["-c", "import networkx"], { stdio: "ignore" }).status === 0;
  if (ok()) return;
  log("installing python3-networkx (apt-get)");
  const apt = (...a: string[]) => spawnSync("apt-get", a, { stdio: "inherit" }).status === 0;
  if (!apt("install", "-y", "python3-networkx")) {
    apt("update");
    apt("install", "-y", "python3-networkx");
  }
  if (!ok()) throw new Error("python3-networkx is not available (apt-get install -y python3-networkx)");
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const n = Number(args[0] ?? 10_000_000);
  if (!Number.isInteger(n) || n < 1000) throw new RangeError(`N must be an integer ≥ 1000, got ${args[0]}`);
  const dir = join(tmpdir(), `fundtrace-bench-trace-${process.pid}`);
  const db = `${dir}/bench.duckdb`;
  const edges = `${dir}/edges.csv`;
  const startsFile = `${dir}/starts.json`;
  const poisonFile = `${dir}/poison-starts.json`;
  rmSync(dir, { recursive: true, force: true });
  try {
    // 1. generate, pick the starts, export the edge list
    const store = withBenchQueries(await Store.open(db));
    let starts: string[];
    let gen: Awaited<ReturnType<typeof generate>>;
    let genMs: number;
    let exportMs: number;
    try {
      const g = await timeit(() => generate(store, n, SEED));
      gen = g.value;
      genMs = g.ms;
      log(`generated ${gen.transfers} transfers over ${gen.addresses} addresses in ${secs(genMs, 1)} s`);
      starts = (
        await store.all("bench.trace_starts", {
          chain: BENCH_CHAIN,
          seed: BigInt(SEED),
          limit: BigInt(STARTS),
          exclude_prefix: HUB_PREFIX,
        })
      ).map((r) => r.address as string);
      writeFileSync(startsFile, JSON.stringify(starts));
      const ex = await timeit(() =>
        store.sql(
          `COPY (SELECT DISTINCT from_address AS f, to_address AS t FROM account_transfers
                 WHERE chain = '${BENCH_CHAIN}' AND to_address IS NOT NULL) TO '${edges}' (HEADER, DELIMITER ',')`,
        ),
      );
      exportMs = ex.ms;
      await store.checkpoint();
    } finally {
      store.close();
    }
    log(`starts: ${starts.join(" ")}; edge list exported in ${secs(exportMs)} s`);

    // 2. ours
    const ours = spawnChild(["haircut", db, startsFile, String(n)], 30 * 60_000).out as OursOut;
    const oursMs = ours.runs.map((r) => r.ms);
    const oursMedian = median(oursMs);

    // 3. NetworkX
    ensureNetworkx();
    const nxRun = spawnSync(
      "python3",
      [fileURLToPath(new URL("./networkx_bfs.py", import.meta.url)), edges, startsFile, String(HOPS)],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        timeout: 30 * 60_000,
        maxBuffer: 64 * 2 ** 20,
      },
    );
    if (nxRun.status !== 0) throw new Error(`networkx_bfs.py failed (${nxRun.status ?? nxRun.signal})`);
    const nx = JSON.parse(nxRun.stdout.trim().split("\n").pop()!) as NxOut;
    const nxMedian = median(nx.runs.map((r) => r.ms));
    log(`networkx: build ${nx.buildSeconds.toFixed(1)} s, median ${nxMedian.toFixed(0)} ms`);

    // 4. naive recursive CTE, one process per query so a timeout can kill it
    const cte: { start: string; ms: number | null; reached: number | null; timedOut: boolean }[] = [];
    let timeouts = 0;
    for (const start of starts) {
      if (timeouts >= CTE_MAX_TIMEOUTS) {
        cte.push({ start, ms: null, reached: null, timedOut: true });
        continue;
      }
      const r = spawnChild(["cte", db, start], CTE_TIMEOUT_MS + 15_000);
      const o = r.out as { ms: number; reached: number } | null;
      if (r.timedOut || !o || o.ms > CTE_TIMEOUT_MS) {
        timeouts++;
        cte.push({ start, ms: null, reached: o?.reached ?? null, timedOut: true });
        log(`cte ${start}: timeout (${CTE_TIMEOUT_MS / 1000} s)`);
      } else {
        cte.push({ start, ms: o.ms, reached: o.reached, timedOut: false });
        log(`cte ${start}: ${o.ms.toFixed(0)} ms, reached ${o.reached}`);
      }
    }
    // a timed-out query counts as the timeout (so the CTE median is then a lower bound)
    const cteMedian = median(cte.map((r) => r.ms ?? CTE_TIMEOUT_MS));
    const cteTimeouts = cte.filter((r) => r.timedOut).length;

    // 5. like-for-like: 6-hop poison, no stops, no labels (reaches what BFS reaches, respecting time)
    const poisonStarts = starts.slice(0, POISON_STARTS);
    writeFileSync(poisonFile, JSON.stringify(poisonStarts));
    const pr = spawnChild(
      ["poison", db, poisonFile, String(n)],
      POISON_TIMEOUT_MS,
      [`--max-old-space-size=${POISON_HEAP_MIB}`],
      true,
    );
    const pLines = pr.lines as { run?: OursRun; peakRssMiB?: number }[];
    const pDone = new Map(pLines.flatMap((l) => (l.run ? [[l.run.start, l.run] as const] : [])));
    const pOut = pr.out as OursOut | null;
    const same = <T extends { start: string }>(xs: T[]) => xs.filter((x) => pDone.has(x.start));
    const poisonMedian = pDone.size ? median([...pDone.values()].map((r) => r.ms)) : null;
    const nxSame = median(same(nx.runs).map((r) => r.ms));
    const cteSame = median(same(cte).map((r) => r.ms ?? CTE_TIMEOUT_MS));
    const poison = {
      method:
        "same CSR graph, trace(): forward poison, 6 hops, no labels, stopAt [] (no path search); no warmup run; own process",
      starts: poisonStarts.length,
      completed: pDone.size,
      timedOut: pr.timedOut,
      failed: pr.failed,
      timeoutSeconds: POISON_TIMEOUT_MS / 1000,
      heapLimitMiB: POISON_HEAP_MIB,
      loadSeconds: pOut?.loadSeconds ?? null,
      peakRssMiB: pOut?.peakRssMiB ?? Math.max(0, ...pLines.map((l) => l.peakRssMiB ?? 0)),
      medianMs: poisonMedian === null ? null : +poisonMedian.toFixed(1),
      runs: poisonStarts.map((start) => {
        const r = pDone.get(start);
        const bfs = nx.runs.find((x) => x.start === start)?.reached ?? null;
        return r ? { ...r, bfsReached: bfs } : { start, ms: null, bfsReached: bfs };
      }),
      sameStarts: {
        networkxMedianMs: pDone.size ? +nxSame.toFixed(1) : null,
        cteMedianMs: pDone.size ? +cteSame.toFixed(1) : null,
        ratioNetworkxOverPoison: poisonMedian ? +(nxSame / poisonMedian).toFixed(2) : null,
        ratioCteOverPoison: poisonMedian ? +(cteSame / poisonMedian).toFixed(2) : null,
      },
    };
    log(
      `poison like-for-like: ${pDone.size}/${poisonStarts.length} done, median ${poison.medianMs} ms, ` +
        `networkx same starts ${poison.sameStarts.networkxMedianMs} ms, peak rss ${poison.peakRssMiB} MiB`,
    );

    const ratioNx = nxMedian / oursMedian;
    const ratioCte = cteMedian / oursMedian;
    return {
      transfers: gen.transfers,
      addresses: gen.addresses,
      seed: SEED,
      hops: HOPS,
      generateSeconds: secs(genMs, 1),
      edgeExportSeconds: secs(exportMs),
      ours: {
        method:
          "CSR graph (typed arrays), trace(): forward haircut, 6 hops, 16 hubs labelled exchange (stop)",
        loader:
          "sorted address dictionary + transfers with address ids joined in DuckDB, streamed chunk by chunk",
        duckdb: { memoryLimit: DUCKDB_MEMORY, threads: DUCKDB_THREADS },
        loadSeconds: ours.loadSeconds,
        dictionarySeconds: ours.dictionarySeconds,
        transfersSeconds: ours.transfersSeconds,
        graphTypedMiB: ours.graphTypedMiB,
        rssAfterLoadMiB: ours.rssAfterLoadMiB,
        peakRssMiB: ours.peakRssMiB,
        warmupMs: ours.warmupMs,
        medianMs: +oursMedian.toFixed(1),
        runs: ours.runs,
      },
      networkx: {
        method: "nx.single_source_shortest_path_length(G, s, cutoff=6) on a DiGraph of distinct edges",
        version: nx.networkx,
        nodes: nx.nodes,
        edges: nx.edges,
        buildSeconds: +nx.buildSeconds.toFixed(1),
        peakRssMiB: nx.peakRssMiB,
        medianMs: +nxMedian.toFixed(1),
        runs: nx.runs.map((r) => ({ ...r, ms: +r.ms.toFixed(1) })),
      },
      cte: {
        method: "WITH RECURSIVE reach(address, depth) ... UNION (dedup), depth < 6, count(DISTINCT address)",
        timeoutSeconds: CTE_TIMEOUT_MS / 1000,
        timeouts: cteTimeouts,
        medianMs: +cteMedian.toFixed(1),
        medianIsLowerBound: cteTimeouts > 0,
        runs: cte,
      },
      poisonLikeForLike: poison,
      ratioNetworkxOverOurs: +ratioNx.toFixed(1),
      ratioCteOverOurs: +ratioCte.toFixed(1),
      goals: {
        medianSecondsMax: 1,
        rssGiBMax: 2,
        networkxRatioMin: 5,
        cteRatioMin: 3,
        appliesTo: "10M transfers",
        medianMet: oursMedian <= 1000,
        rssMet: ours.peakRssMiB <= 2048,
        networkxRatioMet: ratioNx >= 5,
        cteRatioMet: ratioCte >= 3,
      },
      benchPeakRssMiB: peakMiB(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child" && process.argv[1] && fileURLToPath(`file://${process.argv[1]}`) === SELF) {
  const [mode, db, arg, extra] = process.argv.slice(3) as [string, string, string, string];
  const { readFileSync } = await import("node:fs");
  const out =
    mode === "haircut" || mode === "poison"
      ? await childOurs(db, JSON.parse(readFileSync(arg, "utf8")) as string[], Number(extra), mode)
      : await childCte(db, arg);
  console.log(JSON.stringify(out));
}
