import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config.ts";
import { createServices } from "../src/services/index.ts";
import { isScreenError } from "../src/services/screen.ts";
import { median, rssMiB, timeit } from "./stats.ts";

const repo = (rel: string) => fileURLToPath(new URL(`../${rel}`, import.meta.url));
/** The GraphSense packs in the repository: the bundled exchange packs and the test fixtures. */
const REPO_PACKS = [repo("labels/exchanges"), repo("test/fixtures/labels/graphsense/packs")];

/**
 * Import every GraphSense pack in the given folders (default: the repository's; pass e.g. a
 * graphsense-tagpacks checkout's packs/ for the full public set), plus OFAC and NBCTF, then screen
 * 10k addresses.
 */
export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const packDirs = args.length > 0 ? args : REPO_PACKS;
  const db = join((await import("node:os")).tmpdir(), `fundtrace-bench-screen-${process.pid}.duckdb`);
  const s = await createServices(loadConfig({ db, defaultLabels: false }));
  try {
    const files = packDirs
      .flatMap((d) =>
        readdirSync(d, { recursive: true, encoding: "utf8" })
          .filter((f) => /\.ya?ml(\.gz)?$/.test(f))
          .map((f) => join(d, f)),
      )
      .sort();
    let tags = 0;
    let skipped = 0;
    const imp = await timeit(async () => {
      for (const f of files) {
        const r = await s.labels.importFile(f, "tagpack");
        tags += r.rows;
        skipped += r.skipped;
      }
    });
    console.error(
      `imported ${files.length} packs: ${tags} tags (${skipped} skipped) in ${(imp.ms / 1000).toFixed(1)} s`,
    );
    const ofac = await timeit(() => s.labels.importFile(repo("labels/ofac/sdn_advanced_2025-11-19.xml.bz2")));
    const nbctf = await timeit(() =>
      s.labels.importFile(repo("labels/nbctf/il_nbctf_seizure_orders_wallets.csv")),
    );

    // 10k items: 5k labelled addresses drawn from the store (all chains) and 5k unlabelled valid ones.
    const labelled = await s.store.all("labels.sample_addresses", { limit: 5000n });
    const items = labelled.map((r) => ({ chain: r.chain as string, address: r.address as string }));
    for (let i = 0; items.length < 10_000; i++) {
      items.push({
        chain: "ethereum",
        address: `0x${(BigInt(i) * 0x9e3779b97f4a7c15n).toString(16).padStart(40, "0").slice(-40)}`,
      });
    }
    const runs: number[] = [];
    let hits = 0;
    for (let i = 0; i < 7; i++) {
      const t = await timeit(() => s.screen.screen(items));
      runs.push(t.ms);
      hits = t.value.results.filter((r) => !isScreenError(r) && r.labels.length > 0).length;
    }
    const total = Number((await s.store.one("labels.total"))?.n);
    const figures = {
      graphsensePacks: files.length,
      graphsenseTags: tags,
      graphsenseSkipped: skipped,
      graphsenseImportSeconds: +(imp.ms / 1000).toFixed(2),
      ofacImportSeconds: +(ofac.ms / 1000).toFixed(2),
      nbctfImportSeconds: +(nbctf.ms / 1000).toFixed(3),
      labelRowsLoaded: total,
      screenItems: items.length,
      screenHits: hits,
      screen10kMedianSeconds: +(median(runs) / 1000).toFixed(3),
      screen10kRunsMs: runs.map((x) => Math.round(x)),
      goalScreen10kSeconds: 1,
      goalMet: median(runs) <= 1000,
      rssMiB: rssMiB(),
    };
    return figures;
  } finally {
    s.close();
    const { rmSync } = await import("node:fs");
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  }
}
