import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config.ts";
import { createServices, type Services } from "../src/services/index.ts";
import type { TraceRequest } from "../src/services/trace.ts";
import { Store } from "../src/store/db.ts";
import { benchArgs } from "./args.ts";
import { withBenchQueries } from "./queries.ts";
import { median, peakRssMiB, rssMiB, timeit } from "./stats.ts";
import { BENCH_CHAIN, generate } from "./trace-gen.ts";

/**
 * The product's own trace path (TraceService on a Store: the resident graph, loaded from the store
 * on first use) on a seeded 10M-transfer store, against NetworkX BFS and a DuckDB recursive CTE
 * from the same starts with the same hop limit and no stops. Every method runs in its own process,
 * so the RSS reported is its own (peak, VmHWM).
 *
 * - cold: a fresh process, open + first trace (the graph load included), one process per start.
 * - warm (like for like): one more process traces every start after its first (warmup) trace:
 *   6-hop poison with no stops (what BFS and the CTE compute, respecting time), then haircut and
 *   fifo from the same starts (they reach less: taint thins out or is consumed).
 * - stopAtExchange: 6-hop haircut with the 16 hubs labelled exchange (the default stop): reported
 *   as addresses avoided against BFS, never as a speed ratio (it does less work, not the same work).
 * The trace index (ids for transfers written since the last trace) is built once after generation,
 * as the first trace after an ingest would, and timed on its own.
 *
 * Flags: `--reuse FILE` keeps the generated store (before indexing) to skip generation next time;
 * `--only cold` runs only the cold processes, ours and the CTE's (figures of the same run, no JSON
 * worth keeping: the full run writes bench/results/trace.json).
 */
const HOPS = 6;
const STARTS = 5;
const SEED = 42;
const HUB_PREFIX = "0x01";
const CTE_TIMEOUT_MS = 120_000;
const SELF = fileURLToPath(import.meta.url);

const log = (s: string) => console.error(`[trace] ${s}`);
const secs = (ms: number, d = 3) => +(ms / 1000).toFixed(d);

interface Run {
  start: string;
  model: string;
  seconds: number;
  addressesVisited: number;
  addressesReached: number;
  txsVisited: number;
  endpoints: number;
}

function request(start: string, model: "poison" | "haircut" | "fifo", stops: boolean): TraceRequest {
  return {
    chain: BENCH_CHAIN,
    addresses: [start],
    model,
    maxHops: HOPS,
    ...(stops ? {} : { stopAt: [] }),
    maxAddresses: 10_000_000,
    includeGraph: false,
    fetch: false,
  };
}

async function traced(
  s: Services,
  start: string,
  model: "poison" | "haircut" | "fifo",
  stops = false,
): Promise<Run> {
  const t = await timeit(() => s.traces.trace(request(start, model, stops)));
  const r = t.value;
  return {
    start,
    model,
    seconds: secs(t.ms),
    addressesVisited: r.stats.addressesVisited,
    addressesReached: r.stats.addressesReached,
    txsVisited: r.stats.txsVisited,
    endpoints: r.endpoints.length,
  };
}

const open = (db: string) => createServices(loadConfig({ db, defaultLabels: false, offline: true }, {}));

/**
 * Child: a fresh process, open + the first trace (graph load included). `sorted`: the store sorts
 * the rows even though they are stored in chain order (as a store ingested address by address needs).
 */
async function childCold(db: string, start: string, sorted = false) {
  const t0 = performance.now();
  const s = await open(db);
  if (sorted) s.traces.graphOf(BENCH_CHAIN).storedOrderFrom = Number.POSITIVE_INFINITY;
  const openMs = performance.now() - t0;
  const run = await traced(s, start, "poison");
  const total = performance.now() - t0;
  const load = s.traces.graphOf(BENCH_CHAIN).lastRefresh;
  s.close();
  return {
    ...run,
    seconds: secs(total),
    openSeconds: secs(openMs),
    loadSeconds: secs(load.seconds * 1000),
    peakRssMiB: peakRssMiB(),
  };
}

/** Child: warm traces (after one untimed first trace), then the stop-at-exchange ones. */
async function childWarm(db: string, starts: string[]) {
  const s = await open(db);
  const first = await traced(s, starts[0]!, "poison");
  const g = s.traces.graphOf(BENCH_CHAIN).graph;
  const afterLoad = {
    rssMiB: rssMiB(),
    typedMiB: Math.round(g.typedBytes() / 2 ** 20),
    transfers: g.n,
    addresses: g.addressCount,
  };
  log(
    `warm child: first trace ${first.seconds} s, graph ${afterLoad.typedMiB} MiB typed, rss ${afterLoad.rssMiB} MiB`,
  );
  const runs: Run[] = [];
  for (const model of ["poison", "haircut", "fifo"] as const)
    for (const start of starts) {
      runs.push(await traced(s, start, model));
      log(`warm ${model} ${start}: ${runs.at(-1)!.seconds} s, reached ${runs.at(-1)!.addressesReached}`);
    }
  const peakWarm = peakRssMiB();
  // stop at exchange: the hubs labelled as exchanges (a label import, as a user would)
  const hubs = (
    await withBenchQueries(s.store).all("bench.trace_hubs", { chain: BENCH_CHAIN, prefix: HUB_PREFIX })
  ).map((r) => r.address as string);
  const csv = [
    "chain,address,label,category,source,confidence,program,reference,cluster_defining",
    ...hubs.map((a, i) => `${BENCH_CHAIN},${a},Exchange ${i + 1},exchange,bench,50,,,false`),
  ].join("\n");
  await s.labels.importBytes(Buffer.from(`${csv}\n`), "hubs.csv", "csv");
  const stops: Run[] = [];
  await traced(s, starts[0]!, "haircut", true); // labels load with the first trace after the import
  for (const start of starts) stops.push(await traced(s, start, "haircut", true));
  s.close();
  return {
    first,
    afterLoad,
    runs,
    stops,
    hubs: hubs.length,
    peakRssMiB: peakRssMiB(),
    peakRssBeforeStopsMiB: peakWarm,
  };
}

/** Child: the recursive CTE, cold (open + first query) and warm (the same query again). */
async function childCte(db: string, start: string) {
  const t0 = performance.now();
  const store = withBenchQueries(await Store.open(db));
  try {
    const q = { chain: BENCH_CHAIN, start, max_hops: HOPS };
    const cold = await timeit(() => store.one("bench.trace_cte_reach", q));
    const coldMs = performance.now() - t0;
    const warm = await timeit(() => store.one("bench.trace_cte_reach", q));
    return {
      start,
      coldSeconds: secs(coldMs),
      seconds: secs(warm.ms),
      reached: Number(warm.value?.reached ?? cold.value?.reached ?? 0),
      peakRssMiB: peakRssMiB(),
    };
  } finally {
    store.close();
  }
}

function spawnChild(args: string[], timeoutMs: number): { out: unknown; timedOut: boolean } {
  const r = spawnSync(process.execPath, ["--import", "tsx", SELF, "--child", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT")
    return { out: null, timedOut: true };
  if (r.status !== 0) throw new Error(`child ${args[0]} failed (${r.status ?? r.signal})`);
  const line = (r.stdout ?? "")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .at(-1);
  return { out: line ? JSON.parse(line) : null, timedOut: false };
}

/** A python3 with NetworkX: the one on PATH, else Debian's (apt-get install python3-networkx). */
function networkxPython(): string {
  const ok = (py: string) => spawnSync(py, ["-c", "import networkx"], { stdio: "ignore" }).status === 0;
  for (const py of ["python3", "/usr/bin/python3"]) if (ok(py)) return py;
  log("installing python3-networkx (apt-get)");
  const apt = (...a: string[]) => spawnSync("apt-get", a, { stdio: "inherit" }).status === 0;
  if (!apt("install", "-y", "python3-networkx")) {
    apt("update");
    apt("install", "-y", "python3-networkx");
  }
  if (ok("/usr/bin/python3")) return "/usr/bin/python3";
  throw new Error("python3-networkx is not available (apt-get install -y python3-networkx)");
}

const stat = (xs: number[]) => +median(xs).toFixed(3);

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const a = benchArgs(args, ["reuse", "only"]);
  const reuse = a.str("reuse");
  const only = a.str("only");
  if (only !== undefined && only !== "cold") throw new Error(`--only: "cold" is the one part, not "${only}"`);
  const n = a.size(10_000_000, { min: 1000 });
  const dir = join(tmpdir(), `fundtrace-bench-trace-${process.pid}`);
  const db = `${dir}/bench.duckdb`;
  const edges = `${dir}/edges.csv`;
  const startsFile = `${dir}/starts.json`;
  rmSync(dir, { recursive: true, force: true });
  try {
    // 1. generate (or reuse), pick the starts, export the edge list, build the trace index
    const reused = reuse !== undefined && existsSync(reuse);
    if (reused) {
      const { mkdirSync } = await import("node:fs");
      mkdirSync(dir, { recursive: true });
      copyFileSync(reuse, db);
    }
    const store = withBenchQueries(await Store.open(db));
    let gen: Awaited<ReturnType<typeof generate>> | null = null;
    let genMs: number | null = null;
    let starts: string[];
    let indexMs: number;
    try {
      if (!reused) {
        const g = await timeit(() => generate(store, n, SEED));
        gen = g.value;
        genMs = g.ms;
        log(`generated ${gen.transfers} transfers over ${gen.addresses} addresses in ${secs(genMs, 1)} s`);
        await store.checkpoint();
      }
      starts = (
        await store.all("bench.trace_starts", {
          chain: BENCH_CHAIN,
          seed: BigInt(SEED),
          limit: BigInt(STARTS),
          exclude_prefix: HUB_PREFIX,
        })
      ).map((r) => r.address as string);
      writeFileSync(startsFile, JSON.stringify(starts));
      await store.sql(
        `COPY (SELECT DISTINCT from_address AS f, to_address AS t FROM account_transfers
               WHERE chain = '${BENCH_CHAIN}' AND to_address IS NOT NULL) TO '${edges}' (HEADER, DELIMITER ',')`,
      );
    } finally {
      store.close();
    }
    if (reuse !== undefined && !reused) copyFileSync(db, reuse);
    {
      // the trace index, as the first trace after this ingest builds it
      const s = await open(db);
      const t = await timeit(() => s.traces.graphOf(BENCH_CHAIN).index());
      indexMs = t.ms;
      await s.store.checkpoint();
      s.close();
      log(`trace index of ${t.value} transfers in ${secs(indexMs, 1)} s`);
    }
    log(`starts: ${starts.join(" ")}`);

    // 2. ours, cold: a fresh process per start
    const cold = starts.map((start) => {
      const r = spawnChild(["cold", db, start], 20 * 60_000).out as Awaited<ReturnType<typeof childCold>>;
      log(
        `cold ${start}: ${r.seconds} s (open ${r.openSeconds}, load ${r.loadSeconds}), peak ${r.peakRssMiB} MiB`,
      );
      return r;
    });

    // 3. the recursive CTE, a process per start (cold then warm query)
    const cte = starts.map((start) => {
      const r = spawnChild(["cte", db, start], CTE_TIMEOUT_MS * 2 + 30_000);
      const o = r.out as Awaited<ReturnType<typeof childCte>> | null;
      log(
        r.timedOut || !o
          ? `cte ${start}: timeout`
          : `cte ${start}: ${o.seconds} s (cold ${o.coldSeconds} s), reached ${o.reached}`,
      );
      return o
        ? { ...o, timedOut: false }
        : { start, seconds: null, coldSeconds: null, reached: null, peakRssMiB: null, timedOut: true };
    });

    if (only === "cold") {
      const oursCold = stat(cold.map((c) => c.seconds));
      const cteCold = stat(cte.filter((c) => c.coldSeconds !== null).map((c) => c.coldSeconds as number));
      return {
        only,
        transfers: n,
        starts,
        cold: {
          ours: {
            medianS: oursCold,
            medianLoadS: stat(cold.map((c) => c.loadSeconds)),
            rssMiB: Math.max(...cold.map((c) => c.peakRssMiB)),
            runs: cold,
          },
          cte: { medianS: cteCold, runs: cte },
          coldOverCte: +(oursCold / cteCold).toFixed(2),
        },
      };
    }

    const sorted = spawnChild(["cold-sorted", db, starts[0]!], 20 * 60_000).out as Awaited<
      ReturnType<typeof childCold>
    >;
    log(
      `cold, rows sorted by the store: ${sorted.seconds} s (load ${sorted.loadSeconds}), peak ${sorted.peakRssMiB} MiB`,
    );

    // 4. ours, warm, then stop at exchange (labels imported in that process)
    const warm = spawnChild(["warm", db, startsFile], 60 * 60_000).out as Awaited<
      ReturnType<typeof childWarm>
    >;

    // 5. NetworkX BFS on the same edges
    const py = networkxPython();
    const nxRun = spawnSync(
      py,
      [fileURLToPath(new URL("./networkx_bfs.py", import.meta.url)), edges, startsFile, String(HOPS)],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        timeout: 60 * 60_000,
        maxBuffer: 64 * 2 ** 20,
      },
    );
    if (nxRun.status !== 0) throw new Error(`networkx_bfs.py failed (${nxRun.status ?? nxRun.signal})`);
    const nx = JSON.parse(nxRun.stdout.trim().split("\n").pop()!) as {
      networkx: string;
      nodes: number;
      edges: number;
      buildSeconds: number;
      runs: { start: string; ms: number; reached: number }[];
      peakRssMiB: number;
    };
    log(`networkx ${nx.networkx}: build ${nx.buildSeconds.toFixed(1)} s`);

    // figures
    const byModel = (m: string) => warm.runs.filter((r) => r.model === m);
    const ours = stat(byModel("poison").map((r) => r.seconds));
    const nxMedian = stat(nx.runs.map((r) => r.ms / 1000));
    const cteTimed = cte.filter((c) => c.seconds !== null).map((c) => c.seconds as number);
    const cteMedian = cteTimed.length ? stat(cteTimed) : null;
    const cteColdTimed = cte.filter((c) => c.coldSeconds !== null).map((c) => c.coldSeconds as number);
    const cteCold = cteColdTimed.length ? stat(cteColdTimed) : null;
    const oursCold = stat(cold.map((c) => c.seconds));
    const bfsReached = new Map(nx.runs.map((r) => [r.start, r.reached]));
    const models = Object.fromEntries(
      (["poison", "haircut", "fifo"] as const).map((m) => [
        m,
        {
          medianS: stat(byModel(m).map((r) => r.seconds)),
          medianAddressesReached: median(byModel(m).map((r) => r.addressesReached)),
          ratioToPoison: +(stat(byModel(m).map((r) => r.seconds)) / ours).toFixed(2),
        },
      ]),
    );
    const ratio = (a: number | null, b: number) => (a === null ? null : +(a / b).toFixed(2));
    const stopAtExchange = {
      method: `haircut, ${HOPS} hops, the ${warm.hubs} hubs labelled exchange (default stop-at), same process after the warm runs`,
      medianS: stat(warm.stops.map((r) => r.seconds)),
      rssMiB: warm.peakRssMiB,
      runs: warm.stops.map((r) => ({
        ...r,
        bfsReached: bfsReached.get(r.start) ?? null,
        addressesAvoided: (bfsReached.get(r.start) ?? 0) - r.addressesReached,
      })),
      medianAddressesAvoided: median(
        warm.stops.map((r) => (bfsReached.get(r.start) ?? 0) - r.addressesReached),
      ),
      note: "work avoided by stopping at exchanges, not a speed ratio",
    };
    const goals = {
      warmPoisonVsNetworkxMin: 5,
      warmPoisonVsCteMin: 2,
      rssMiBMax: 2048,
      haircutFifoVsPoisonMax: 3,
      coldVsCteMax: 2,
      networkxRatio: ratio(nxMedian, ours),
      cteRatio: ratio(cteMedian, ours),
      coldOverCte: cteCold === null ? null : +(oursCold / cteCold).toFixed(2),
      networkxMet: nxMedian / ours >= 5,
      cteMet: cteMedian !== null && cteMedian / ours >= 2,
      rssMet: warm.peakRssBeforeStopsMiB <= 2048 && Math.max(...cold.map((c) => c.peakRssMiB)) <= 2048,
      haircutFifoMet: models.haircut!.ratioToPoison <= 3 && models.fifo!.ratioToPoison <= 3,
      coldMet: cteCold !== null && oursCold / cteCold <= 2,
    };
    return {
      transfers: gen?.transfers ?? n,
      addresses: gen?.addresses ?? warm.afterLoad.addresses,
      reusedStore: reused,
      seed: SEED,
      hops: HOPS,
      starts,
      generateSeconds: genMs === null ? null : secs(genMs, 1),
      traceIndexSeconds: secs(indexMs, 1),
      likeForLike: {
        method: `${HOPS} hops from the same ${starts.length} starts, no stops: ours = TraceService.trace poison (includeGraph false, no source; the resident graph's refresh check included), warm; NetworkX single_source_shortest_path_length; DuckDB recursive CTE (UNION dedup), the query run a second time`,
        ours: {
          medianS: ours,
          rssMiB: warm.peakRssBeforeStopsMiB,
          rssAfterLoadMiB: warm.afterLoad.rssMiB,
          graphTypedMiB: warm.afterLoad.typedMiB,
          models,
          runs: warm.runs.map((r) => ({ ...r, bfsReached: bfsReached.get(r.start) ?? null })),
        },
        networkx: {
          medianS: nxMedian,
          rssMiB: nx.peakRssMiB,
          version: nx.networkx,
          nodes: nx.nodes,
          edges: nx.edges,
          buildSeconds: +nx.buildSeconds.toFixed(1),
          runs: nx.runs.map((r) => ({ ...r, ms: +r.ms.toFixed(1) })),
        },
        cte: {
          medianS: cteMedian,
          rssMiB: Math.max(0, ...cte.map((c) => c.peakRssMiB ?? 0)),
          timeoutSeconds: CTE_TIMEOUT_MS / 1000,
          runs: cte,
        },
      },
      cold: {
        method:
          "a fresh process: open the store, first trace (graph load from the store included); ours poison as above, the CTE its first query",
        ours: {
          medianS: oursCold,
          rssMiB: Math.max(...cold.map((c) => c.peakRssMiB)),
          medianLoadS: stat(cold.map((c) => c.loadSeconds)),
          load: "the generated rows are stored in chain order: read as stored, no sort",
          runs: cold,
          rowsSortedByStore: {
            note: "the same first trace when the store must sort the rows (ingested address by address)",
            seconds: sorted.seconds,
            loadSeconds: sorted.loadSeconds,
            rssMiB: sorted.peakRssMiB,
          },
        },
        cte: { medianS: cteCold, rssMiB: Math.max(0, ...cte.map((c) => c.peakRssMiB ?? 0)) },
      },
      stopAtExchange,
      goals,
      benchPeakRssMiB: peakRssMiB(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child" && process.argv[1] && fileURLToPath(`file://${process.argv[1]}`) === SELF) {
  const [mode, db, arg] = process.argv.slice(3) as [string, string, string];
  const out =
    mode === "cold" || mode === "cold-sorted"
      ? await childCold(db, arg, mode === "cold-sorted")
      : mode === "warm"
        ? await childWarm(db, JSON.parse(readFileSync(arg, "utf8")) as string[])
        : await childCte(db, arg);
  console.log(JSON.stringify(out));
}
