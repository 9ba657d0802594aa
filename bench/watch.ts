import { copyFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import type { LabelRecord } from "../src/domain.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { WatchStore } from "../src/store/watch.ts";
import { benchArgs } from "./args.ts";
import { withBenchQueries } from "./queries.ts";
import { median, peakRssMiB, timeit } from "./stats.ts";

/**
 * Re-screening a watched customer book after a label import, on the bench store: N generated inputs
 * (default 10M, as the cluster bench: 3.3M transactions), 200k background labels, a watchlist of W
 * addresses (default 10,000) that spent coins there, screened once (its first run, timed too). Each
 * round imports a newer version of a sanctions list that adds L addresses (default 500: half paid by
 * watched wallets, half elsewhere in the store), then one that removes them again (delistings); the
 * time of each import, re-screen included, and of the re-screen alone is reported, with the alerts
 * it raised. Flags: `--inputs N`, `--watch W`, `--listed L`, `--rounds K` (default 3), `--reuse FILE`
 * (keep the generated store in FILE; start from a copy of it when it exists).
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const a = benchArgs(args, ["inputs", "watch", "listed", "rounds", "reuse"]);
  const inputs = a.num("inputs", 10_000_000, { positive: true });
  const watched = a.num("watch", 10_000, { positive: true });
  const listed = a.num("listed", 500);
  const rounds = a.num("rounds", 3, { positive: true });
  const reuse = a.str("reuse");
  const db = join(tmpdir(), `fundtrace-bench-watch-${process.pid}.duckdb`);
  const reused = reuse !== undefined && existsSync(reuse);
  if (reused) copyFileSync(reuse, db);
  const s = await createServices(loadConfig({ db, defaultLabels: false, offline: true }, {}));
  withBenchQueries(s.store);
  try {
    const nTxs = Math.ceil(inputs / 3);
    const gen = await timeit(async () => {
      if (reused) return;
      await s.store.run("bench.gen_utxo_txs", { n_txs: BigInt(nTxs), inputs_per_tx: 3 });
      await s.store.run("bench.gen_utxo_inputs", {
        n_txs: BigInt(nTxs),
        inputs_per_tx: 3,
        n_addresses: BigInt(Math.round(inputs * 0.6)),
      });
      await s.store.run("bench.gen_utxo_outputs", { n_txs: BigInt(nTxs) });
      await s.labels.writeDataset(dataset("bench-background", background(200_000), "exchange"), null, null);
    });
    console.error(
      `generated ${inputs} inputs, ${nTxs} transactions and 200k labels in ${(gen.ms / 1000).toFixed(1)} s`,
    );
    // generated addresses are not real bech32: the watchlist is written as stored, past validation
    const book = (await s.store.all("bench.watch_sample", { n: BigInt(watched) })).map((r) =>
      String(r.address),
    );
    await new WatchStore(s.store).putWatchlist(
      "customers",
      book.map((address) => ({ chain: "bitcoin", address })),
      new Date(),
    );
    await s.store.checkpoint();
    if (reuse !== undefined && !reused) copyFileSync(db, reuse);
    // offline: the first run screens what is stored (the generated history of the book)
    const first = await timeit(() => s.watch.runWatchlist("customers"));
    const flows = await s.store.sql("SELECT count(*)::BIGINT AS n FROM watch_flows");
    console.error(`first screening of the book: ${sec(first.ms)} s, ${flows[0]!.n} flows recorded`);

    const rescreenMs: number[] = [];
    const timed = s.watch.processLabelChanges.bind(s.watch);
    s.watch.processLabelChanges = async () => {
      const t = await timeit(timed);
      rescreenMs.push(t.ms);
      return t.value;
    };
    const results: Record<string, unknown>[] = [];
    for (let round = 0; round < rounds; round++) {
      const paid = await addresses(s, "bench.watch_counterparties", {
        watchlist: "customers",
        n: listed / 2,
        seed: round,
      });
      const elsewhere = await addresses(s, "bench.watch_stored", { n: listed / 2, seed: 1000 + round });
      const list = [...paid, ...elsewhere];
      for (const [what, labels] of [
        ["listing", list],
        ["delisting", []],
      ] as const) {
        const before = (await s.watch.alerts.list({ limit: 10_000 })).length;
        const t = await timeit(() =>
          s.labels.writeDataset(
            dataset("bench-sanctions", labels, "sanction"),
            null,
            `round-${round}-${what}`,
          ),
        );
        const alerts = (await s.watch.alerts.list({ limit: 10_000 })).length - before;
        const r = {
          round,
          what,
          changed: list.length,
          alerts,
          importSeconds: sec(t.ms),
          rescreenSeconds: sec(rescreenMs.at(-1) ?? 0),
        };
        console.error(JSON.stringify(r));
        results.push(r);
      }
    }
    const rescreens = results.map((r) => r.rescreenSeconds as number);
    const imports = results.map((r) => r.importSeconds as number);
    return {
      inputs,
      transactions: nTxs,
      backgroundLabels: 200_000,
      watchlist: book.length,
      firstScreeningSeconds: sec(first.ms),
      flowsOfTheBook: Number(flows[0]!.n),
      listedPerImport: listed,
      rounds,
      goalSeconds: 5,
      medianImportWithRescreenSeconds: median(imports),
      maxImportWithRescreenSeconds: Math.max(...imports),
      medianRescreenSeconds: median(rescreens),
      maxRescreenSeconds: Math.max(...rescreens),
      imports: results,
      peakRssMiB: peakRssMiB(),
    };
  } finally {
    s.close();
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  }
}

const sec = (ms: number) => +(ms / 1000).toFixed(3);

async function addresses(s: Services, name: string, p: Record<string, string | number>): Promise<string[]> {
  const params = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, k === "n" ? BigInt(v) : v]));
  return (await s.store.all(name, params)).map((r) => String(r.address));
}

function background(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `bench-exchange-${i}`);
}

function dataset(name: string, addresses: readonly string[], category: string) {
  const labels: LabelRecord[] = addresses.map((address) => ({
    chain: "bitcoin",
    address,
    currency: "BTC",
    label: `${category} ${address.slice(-6)}`,
    category,
    source: "bench",
    confidence: 80,
    program: null,
    reference: null,
    clusterDefining: false,
  }));
  return { dataset: name, format: "csv" as const, labels, skipped: [] };
}
