import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config.ts";
import type { ClusterOptions, ClusterRunResult } from "../src/services/cluster.ts";
import { createServices } from "../src/services/index.ts";
import { ClusterStore } from "../src/store/clusters.ts";
import type { Store } from "../src/store/db.ts";
import { benchArgs } from "./args.ts";
import { withBenchQueries } from "./queries.ts";
import { median, peakRssMiB, timeit } from "./stats.ts";

const SELF = fileURLToPath(import.meta.url);

/**
 * Clustering of N inputs (default 10M: 3.3M txs of 3 inputs over heavy-tailed owners, 2 outputs each
 * shaped for the change heuristics), through ClusterService as the CLI runs it, each run on a fresh copy
 * of the generated file in its own process (so its peak RSS is its own); medians of the runs:
 * - multiInput: multi-input merges only, no change guesses;
 * - withChange: what `fundtrace cluster bitcoin` runs by default (multi-input merges, change guesses
 *   computed and stored);
 * - withChangeMerges: `--heuristics multi-input,change` (change guesses merged too);
 * - sql: the same multi-input clustering as SQL min-label propagation, until no label changes or
 *   `--sql-max-seconds` (reported as not converged after its rounds).
 * Flags: `--runs K` (default 3); `--no-sql`; `--sql-max-seconds S` (default 900); `--reuse FILE` keeps
 * the generated data in FILE and, when FILE exists, starts from a copy of it instead of generating.
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const a = benchArgs(args, ["reuse", "runs", "sql-max-seconds"], ["no-sql"]);
  const reuse = a.str("reuse");
  const runs = a.num("runs", 3, { positive: true });
  const sqlMaxS = a.num("sql-max-seconds", 900, { positive: true });
  const inputs = a.size(10_000_000, { min: 1000 });
  const perTx = 3;
  const nTxs = Math.ceil(inputs / perTx);
  const nAddresses = BigInt(Math.round(inputs * 0.6));
  const db = join(tmpdir(), `fundtrace-bench-cluster-${process.pid}.duckdb`);
  const reused = reuse !== undefined && existsSync(reuse);
  if (reused) copyFileSync(reuse, db);
  const s = await createServices(loadConfig({ db, defaultLabels: false }, {}));
  withBenchQueries(s.store);
  try {
    const gen = await timeit(async () => {
      if (reused) return;
      await s.store.run("bench.gen_utxo_txs", { n_txs: BigInt(nTxs), inputs_per_tx: perTx });
      await s.store.run("bench.gen_utxo_inputs", {
        n_txs: BigInt(nTxs),
        inputs_per_tx: perTx,
        n_addresses: nAddresses,
      });
      await s.store.run("bench.gen_utxo_outputs", { n_txs: BigInt(nTxs), n_addresses: nAddresses });
    });
    // the integer ids and fingerprints ingest writes with each tx, here in bulk as migrations 005 and 010 do
    const ids = await timeit(async () => {
      if (reused) return;
      for (const q of ["address_ids", "tx_ids", "tx_index", "input_ids", "output_ids", "fingerprints"])
        await s.store.run(`bench.gen_utxo_${q}`);
    });
    await s.store.checkpoint();
    if (reuse !== undefined && !reused) copyFileSync(db, reuse);
    const counts = (await s.store.one("bench.count_inputs"))!;
    console.error(
      `generated ${counts.n} inputs over ${counts.addresses} addresses in ${(gen.ms / 1000).toFixed(1)} s`,
    );

    const multiInput = clusterRuns(db, "multi-input", runs);
    const withChange = clusterRuns(db, "default", runs);
    const withChangeMerges = clusterRuns(db, "change-merges", runs);
    const sql = a.flag("no-sql") ? null : await sqlPropagation(s.store, sqlMaxS);
    const r = multiInput.result;
    return {
      inputs: Number(counts.n),
      addresses: Number(counts.addresses),
      transactions: r.transactions,
      merges: r.merges,
      clustersOfTwoOrMore: r.clusters,
      largestCluster: r.largest,
      multiInput: figures(multiInput),
      withChange: { ...figures(withChange), changeGuesses: withChange.result.changeGuesses },
      withChangeMerges: {
        ...figures(withChangeMerges),
        changeGuesses: withChangeMerges.result.changeGuesses,
        merges: withChangeMerges.result.merges,
        largestCluster: withChangeMerges.result.largest,
      },
      sql,
      ratioSqlOverMultiInput: sql ? +(sql.medianS / multiInput.medianS).toFixed(1) : null,
      goals: { multiInputS: 10, withChangeS: 60 },
      goalMet: { multiInput: multiInput.medianS <= 10, withChange: withChange.medianS <= 60 },
      benchProcessPeakRssMiB: peakRssMiB(),
      generateSeconds: +(gen.ms / 1000).toFixed(1),
      idsBulkSeconds: +(ids.ms / 1000).toFixed(1),
    };
  } finally {
    s.close();
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  }
}

/** What `fundtrace cluster bitcoin` is asked in each mode (a fresh file: every tx is new). */
const MODES = {
  "multi-input": { reportChange: false },
  default: {},
  "change-merges": { heuristics: ["multi-input", "change"] },
} satisfies Record<string, ClusterOptions>;
type Mode = keyof typeof MODES;

interface ModeRuns {
  medianS: number;
  runs: ChildOut[];
  result: ClusterRunResult;
}

/** `runs` clusterings of fresh copies of `db` in one mode, each in its own process. */
function clusterRuns(db: string, mode: Mode, runs: number): ModeRuns {
  const copy = `${db}-run.duckdb`;
  const out: ChildOut[] = [];
  for (let r = 0; r < runs; r++) {
    copyFileSync(db, copy);
    const o = spawnChild(copy, mode);
    rmSync(copy, { force: true });
    rmSync(`${copy}.wal`, { force: true });
    console.error(
      `${mode} run ${r + 1}: ${(o.ms / 1000).toFixed(2)} s, peak RSS ${o.peakRssMiB} MiB ` +
        `(${JSON.stringify(o.result.seconds)})`,
    );
    out.push(o);
  }
  const ms = median(out.map((x) => x.ms));
  const mid = out.find((x) => x.ms === ms) ?? out[0]!;
  return { medianS: +(ms / 1000).toFixed(2), runs: out, result: mid.result };
}

function figures(m: ModeRuns) {
  return {
    medianS: m.medianS,
    runsS: m.runs.map((x) => +(x.ms / 1000).toFixed(2)),
    rssMiB: Math.max(...m.runs.map((x) => x.peakRssMiB)),
    breakdownS: m.result.seconds,
    steps: m.result.steps,
  };
}

/** Multi-input clustering as SQL min-label propagation over the same ids, until no label changes. */
async function sqlPropagation(store: Store, maxS: number) {
  let rounds = 0;
  let converged = false;
  const t = await timeit(() =>
    store.tx(async (tx) => {
      const clusters = new ClusterStore(tx);
      await clusters.clearWork();
      await clusters.fillWork("bitcoin", true);
      await tx.run("bench.sql_edges");
      await tx.run("bench.sql_init_labels");
      const t0 = performance.now();
      while (!converged && performance.now() - t0 < maxS * 1000) {
        const r = await tx.all("bench.sql_propagate");
        rounds++;
        converged = Number(Object.values(r[0] ?? {})[0] ?? 0) === 0;
      }
    }),
  );
  const components = Number((await store.one("bench.sql_component_count"))?.n ?? 0);
  const medianS = +(t.ms / 1000).toFixed(2);
  console.error(
    `sql: ${medianS} s, ${rounds} rounds, ${converged ? "converged" : `not converged after ${rounds} rounds`}`,
  );
  return { medianS, runs: 1, converged, rounds, componentsIncludingSingletons: components };
}

interface ChildOut {
  ms: number;
  peakRssMiB: number;
  result: ClusterRunResult;
}

/** One clustering of the file at `db` in `mode`, timed in its own process. */
function spawnChild(db: string, mode: Mode): ChildOut {
  const r = spawnSync(process.execPath, ["--import", "tsx", SELF, "--child", db, mode], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`clustering child failed (${r.status ?? r.signal}): ${r.error ?? ""}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as ChildOut;
}

if (process.argv[2] === "--child" && process.argv[1] && fileURLToPath(`file://${process.argv[1]}`) === SELF) {
  const s = await createServices(loadConfig({ db: process.argv[3]!, defaultLabels: false }, {}));
  const mode = MODES[process.argv[4] as Mode] as ClusterOptions;
  const t = await timeit(() => s.clusters.cluster("bitcoin", mode));
  s.close();
  const out: ChildOut = {
    ms: t.ms,
    peakRssMiB: peakRssMiB(),
    result: t.value,
  };
  console.log(JSON.stringify(out));
}
