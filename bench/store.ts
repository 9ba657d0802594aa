import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listValue } from "@duckdb/node-api";
import { Store } from "../src/store/db.ts";
import { LabelStore } from "../src/store/labels.ts";
import { benchArgs } from "./args.ts";
import { peakRssMiB } from "./stats.ts";

/**
 * The store under concurrent use, as `serve` sees it: address lookups (labels of 10 addresses, the
 * cluster of one) from C concurrent callers, (a) alone, (b) while a label import replaces a dataset of
 * N rows again and again, (c) mixed with small write transactions (a case note each, 50 at a time).
 * Flags: `--labels N` (default 200000), `--concurrency C` (default 50), `--seconds S` per phase (default 10),
 * `--readers R` reader connections (default 8).
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const a = benchArgs(args, ["labels", "concurrency", "seconds", "readers"]);
  const nLabels = a.num("labels", 200_000);
  const concurrency = a.num("concurrency", 50);
  const seconds = a.num("seconds", 10);
  const readers = a.num("readers", 8);
  const db = join(tmpdir(), `fundtrace-bench-store-${process.pid}.duckdb`);
  const s = await Store.open(db, { readers });
  try {
    const addresses = Array.from({ length: nLabels }, (_, i) => `addr${i.toString(36).padStart(8, "0")}`);
    await importDataset(s, "bench-a", addresses);
    await importDataset(s, "bench-b", addresses.slice(0, nLabels / 2));
    await s.run("cases.insert", { name: "bench", title: "bench", description: null });
    await s.checkpoint();

    let seed = 1;
    const pick = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return addresses[seed % addresses.length]!;
    };
    const lookup = async () => {
      const some = Array.from({ length: 10 }, pick);
      await s.all("labels.by_addresses", { addresses: listValue(some) });
      await s.one("cluster.by_address", { chain: "bitcoin", address: some[0]! });
    };
    /** C callers looping on `op` until the phase ends; latency of each call. */
    const load = async (op: () => Promise<void>, until: () => boolean) => {
      const ms: number[] = [];
      let errors = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (!until()) {
            const t = performance.now();
            try {
              await op();
              ms.push(performance.now() - t);
            } catch {
              errors++;
            }
          }
        }),
      );
      return { ms, errors };
    };
    const phase = async (name: string, background?: (stop: () => boolean) => Promise<number>) => {
      const end = performance.now() + seconds * 1000;
      const stop = () => performance.now() >= end;
      const t0 = performance.now();
      const [{ ms, errors }, writes] = await Promise.all([load(lookup, stop), background?.(stop) ?? 0]);
      const wall = (performance.now() - t0) / 1000;
      const r = { ...latency(ms), errors, lookupsPerSecond: Math.round(ms.length / wall), writes };
      console.error(`${name}: ${JSON.stringify(r)}`);
      return r;
    };

    const alone = await phase("lookups alone");
    const importMs: number[] = [];
    const duringImport = await phase("lookups during label imports", async (stop) => {
      let n = 0;
      while (!stop()) {
        const t = performance.now();
        await importDataset(s, "bench-b", addresses.slice(0, nLabels / 2));
        importMs.push(performance.now() - t);
        n++;
      }
      return n;
    });
    const noteMs: number[] = [];
    let noteId = 0;
    const withWrites = await phase("lookups with 50 concurrent small writes", async (stop) => {
      let n = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (!stop()) {
            const t = performance.now();
            await s.tx(async () => {
              await s.run("cases.insert_note", { id: `n${noteId++}`, case_name: "bench", text: "note" });
              await s.run("cases.touch", { name: "bench" });
            });
            noteMs.push(performance.now() - t);
            n++;
          }
        }),
      );
      return n;
    });
    const notes = Number((await s.sql("SELECT count(*) AS n FROM case_notes"))[0]?.n);
    return {
      labels: nLabels,
      concurrency,
      readers,
      secondsPerPhase: seconds,
      lookupIs: "labels of 10 addresses + cluster of one",
      alone,
      duringLabelImport: { ...duringImport, importMs: latency(importMs) },
      withSmallWrites: {
        ...withWrites,
        writeMs: latency(noteMs),
        writesPerSecond: Math.round(noteMs.length / seconds),
      },
      notesStoredEqualsAcknowledged: notes === noteMs.length,
      peakRssMiB: peakRssMiB(),
    };
  } finally {
    s.close();
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  }
}

/** Replaces a dataset of labels in one transaction, as a label import does (its own code path). */
async function importDataset(s: Store, dataset: string, addresses: string[]): Promise<void> {
  await new LabelStore(s).replaceDataset(
    {
      dataset,
      format: "csv",
      labels: addresses.map((address) => ({
        chain: "bitcoin",
        address,
        currency: "BTC",
        label: `label of ${address}`,
        category: "exchange",
        source: "bench",
        confidence: 50,
        program: null,
        reference: null,
        clusterDefining: false,
      })),
      skipped: [],
    },
    null,
    null,
  );
}

function latency(ms: number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => +(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(1);
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: +(s.at(-1) ?? 0).toFixed(1) };
}
