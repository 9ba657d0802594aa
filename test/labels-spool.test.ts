// A large label file's rows reach the database through a spool file written on the parser thread
// (src/store/label-spool.ts, labels.insert_spooled): the same rows as the appender, and no file left.
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LabelDataset, LabelRecord } from "../src/domain.ts";
import type { Services } from "../src/services/index.ts";
import { OFF_THREAD_BYTES } from "../src/services/label-worker.ts";
import { spoolLabels } from "../src/store/label-spool.ts";
import { LabelStore } from "../src/store/labels.ts";
import { testServices } from "./helpers/services.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();

const AWKWARD: LabelRecord[] = [
  {
    chain: "ethereum",
    address: "0x00000000000000000000000000000000000000a1",
    currency: "ETH",
    label: 'Quote "q", comma, new\nline, tab\t, backslash \\ and 😀 é',
    category: "exchange",
    source: "https://example.org/a?b=c&d",
    confidence: 79.6,
    program: "SDGT;IFSR",
    reference: "uid 47635",
    clusterDefining: true,
    actor: "actor-1",
  },
  {
    chain: "bitcoin",
    address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    currency: "BTC",
    label: "\\N",
    category: "mixer",
    source: "",
    confidence: 0,
    program: null,
    reference: null,
    clusterDefining: false,
    actor: null,
  },
  {
    chain: "tron",
    address: "TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnJ",
    currency: "USDT",
    label: "null",
    category: "terrorism_financing",
    source: "NBCTF",
    confidence: 100,
    program: null,
    reference: "ASO 18/26",
    clusterDefining: false,
  },
];

const opened: Services[] = [];
afterAll(() => {
  for (const s of opened) s.close();
});

async function services(name: string): Promise<Services> {
  const s = await testServices(name);
  opened.push(s);
  return s;
}

/** The stored rows of a dataset, without the import time (each store has its own). */
async function stored(s: Services, dataset: string) {
  const rows = await new LabelStore(s.store).list({ chain: null, category: null, dataset }, 100, 0);
  return rows.map(({ importedAt, ...r }) => r).sort((a, b) => a.address.localeCompare(b.address));
}

/** Spool files of this process left in the temp dir. */
function spools(): string[] {
  return readdirSync(tmpdir()).filter((f) => f.startsWith(`fundtrace-labels-${process.pid}-`));
}

describe("spooled label rows", () => {
  it("stores exactly what the appender stores: quotes, new lines, emoji, nulls, rounding", async () => {
    const ds: LabelDataset = { dataset: "awkward", format: "csv", labels: AWKWARD, skipped: [] };
    const a = await services("appended");
    await new LabelStore(a.store).replaceDataset(ds, "f.csv", "h1");
    const b = await services("spooled");
    const file = join(dir, "awkward.ndjson");
    spoolLabels(AWKWARD, file);
    await new LabelStore(b.store).replaceDataset(
      { dataset: "awkward", format: "csv", skipped: [], file, rows: AWKWARD.length },
      "f.csv",
      "h1",
    );
    const want = await stored(a, "awkward");
    expect(want).toHaveLength(3);
    expect(want[0]!.label).toBe(AWKWARD[0]!.label);
    expect(want[0]!.confidence).toBe(80);
    expect(await stored(b, "awkward")).toEqual(want);
    expect((await b.labels.imports()).find((i) => i.dataset === "awkward")?.rows).toBe(3);
  });

  it("a file read on the parser thread lands whole, and its spool file is removed, refused or not", async () => {
    const s = await services("big");
    const rows = Array.from(
      { length: 30_000 },
      (_, i) => `ethereum,0x${(i + 1).toString(16).padStart(40, "0")},listed wallet ${i},exchange,big list`,
    );
    const csv = Buffer.from(["chain,address,label,category,source", ...rows].join("\n"));
    expect(csv.length).toBeGreaterThanOrEqual(OFF_THREAD_BYTES);
    // parsed and spooled, then refused: the OFAC dataset takes OFAC files only (the format is sniffed)
    await expect(s.labels.importBytes(csv, "big.csv", { dataset: "ofac-sdn" })).rejects.toThrow(
      /"ofac-sdn" is the ofac-sdn publication's; a csv file cannot use it/,
    );
    expect(spools()).toEqual([]);
    expect((await s.labels.list({ limit: 1 })).total).toBe(0);
    const r = await s.labels.importBytes(csv, "big.csv", "csv");
    expect(r.rows).toBe(30_000);
    expect((await s.labels.list({ dataset: r.dataset, limit: 1 })).total).toBe(30_000);
    expect(spools()).toEqual([]);
  });
});
