import { createHash, randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { getChain, normalizeAddress, sameAddressSpace } from "../chains.ts";
import type { LabelChange } from "../core/label-change.ts";
import {
  type LabelDataset,
  type LabelRecord,
  labelCount,
  type SpooledLabelDataset,
  type StoredLabel,
} from "../domain.ts";
import { BadInputError, quote } from "../errors.ts";
import { caseWalletLabel } from "../labels/case-wallets.ts";
import { exportLabelCsv, parseLabelCsv } from "../labels/csv.ts";
import { parseEvmLabels } from "../labels/evm-labels.ts";
import { parseNbctfCsv } from "../labels/nbctf.ts";
import { parseOfacCsv, parseOfacSdnXml } from "../labels/ofac.ts";
import { sniffLabelFormat } from "../labels/sniff.ts";
import { exportTagPack, parseTagPack } from "../labels/tagpack.ts";
import { tagPackIncludeResolver } from "../labels/tagpack-include.ts";
import type { IncludeResolver } from "../labels/yaml11.ts";
import type { Store } from "../store/db.ts";
import { type DatasetDiff, type LabelImport, LabelStore } from "../store/labels.ts";
import { ReadCache } from "../store/read-cache.ts";
import { readLabelFileOffThread } from "./label-worker.ts";

export const LABEL_FORMATS = ["ofac-sdn", "tagpack", "nbctf", "csv", "evm-labels"] as const;
export type ImportFormat = (typeof LABEL_FORMATS)[number];

/** Formats that are an authority's publication: their datasets are always guarded (see checkReplacement). */
export const AUTHORITY_FORMATS: ReadonlySet<ImportFormat> = new Set(["ofac-sdn", "nbctf"]);
/** The dataset ids of those publications: no file of another format may take them. */
const RESERVED_DATASETS: Readonly<Record<string, ImportFormat>> = { "ofac-sdn": "ofac-sdn", nbctf: "nbctf" };
/**
 * An import may remove at most this share of a dataset's addresses without `force`: more is a sign of
 * the wrong file (another part of a multi-file pack, a truncated list), not of a new edition.
 */
export const MAX_REMOVED_SHARE = 0.1;

export interface ImportOptions {
  format?: ImportFormat | undefined;
  /** Dataset id to import into, instead of the one the file's content names. */
  dataset?: string | undefined;
  /** Replace even when the guard would refuse (more than MAX_REMOVED_SHARE of the addresses removed). */
  force?: boolean | undefined;
  /** Mark the dataset as an authority's (kept once set): its replacements are then guarded like OFAC's. */
  authority?: boolean | undefined;
}

export interface ImportResult {
  dataset: string;
  format: ImportFormat;
  sourceFile: string;
  sourceHash: string;
  rows: number;
  skipped: number;
  /** true when a file with the same bytes was already imported: nothing was changed. */
  unchanged: boolean;
  skippedSample: { address: string; reason: string }[];
  /** Skipped tags/rows grouped by reason (line numbers left out), most frequent first. */
  skippedReasons: { reason: string; count: number }[];
  /** Labels this import added to the dataset and removed from it (0 and 0 when unchanged). */
  added: number;
  removed: number;
  /** Addresses that had a label of this dataset before and have none now. */
  removedAddresses: number;
  /** Label rows the dataset held before this import. */
  previousRows: number;
  /** Some of the removed labels. */
  removedSample: { chain: string; address: string; label: string; category: string }[];
  authority: boolean;
}

export interface LabelFilter {
  chain?: string | undefined;
  category?: string | undefined;
  dataset?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** Bytes of a label file, gunzipped/bunzipped as needed. */
async function decodeFile(raw: Buffer, name: string): Promise<Buffer> {
  if (name.endsWith(".gz")) return gunzipSync(raw);
  if (name.endsWith(".bz2")) {
    const { default: Bunzip } = await import("seek-bzip");
    return Bunzip.decode(raw) as Buffer;
  }
  return raw;
}

export interface ParseLabelsOptions {
  dataset?: string | undefined;
  /** Resolves a TagPack's `!include` (only for a file read from disk). */
  include?: IncludeResolver | undefined;
}

export function parseLabels(
  text: string,
  format: ImportFormat,
  sourceFile: string,
  o: ParseLabelsOptions = {},
): LabelDataset {
  const opts = { sourceFile, ...(o.dataset === undefined ? {} : { dataset: o.dataset }) };
  switch (format) {
    case "ofac-sdn":
      return text.trimStart().startsWith("<") ? parseOfacSdnXml(text, opts) : parseOfacCsv(text, opts);
    case "tagpack":
      return parseTagPack(text, { ...opts, ...(o.include ? { include: o.include } : {}) });
    case "nbctf":
      return parseNbctfCsv(text, opts);
    case "csv":
      return parseLabelCsv(text, opts);
    case "evm-labels":
      return parseEvmLabels(text, opts);
  }
}

/** A dataset id the user chose: printable, trimmed, and not a publication's id for another format. */
function checkDatasetName(name: string, format: ImportFormat | undefined): void {
  if (name !== name.trim() || name === "" || name.length > 200 || /[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    throw new BadInputError("a dataset name is 1-200 printable characters without surrounding spaces");
  }
  const reserved = RESERVED_DATASETS[name];
  if (reserved && format !== undefined && format !== reserved) {
    throw new BadInputError(
      `dataset "${name}" is the ${reserved} publication's; a ${format} file cannot use it`,
    );
  }
}

/** Skip reasons without their line numbers, counted. */
function skipReasons(skipped: LabelDataset["skipped"]): ImportResult["skippedReasons"] {
  const counts = new Map<string, number>();
  for (const s of skipped) {
    const reason = s.reason.replace(/^line (?:\d+|\?)(?: \([^)]*\))?: /, "");
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

const pct = (n: number, of: number) => `${Math.round((1000 * n) / of) / 10}%`;

/**
 * The guard on replacing a dataset (issue 16): an authority's dataset takes only a non-empty file of its
 * own format; any dataset refuses, without `force`, a file that would remove more than MAX_REMOVED_SHARE
 * of its addresses. Throwing here rolls the import back.
 */
export function checkReplacement(
  d: DatasetDiff,
  c: {
    dataset: string;
    file: string;
    format: ImportFormat;
    rows: number;
    authority: boolean;
    force: boolean;
  },
  previous: LabelImport | undefined,
): void {
  if (!previous || d.previousRows === 0) return;
  const was = `dataset "${c.dataset}" (${d.previousRows} labels on ${d.previousAddresses} addresses, from ${previous.source_file ?? "an earlier import"} of ${previous.imported_at})`;
  if (c.authority && c.rows === 0) {
    throw new BadInputError(
      `${c.file} holds no usable ${c.format} labels: it cannot replace the authority ${was}`,
    );
  }
  if (c.force || d.removedAddresses <= MAX_REMOVED_SHARE * d.previousAddresses) return;
  const kind = c.authority ? "authority " : "";
  // a 409 for the API, exit 2 for the CLI: the user can act on it (--force, --dataset)
  throw new BadInputError(
    `importing ${c.file} would remove ${d.removedAddresses} of the ${d.previousAddresses} addresses ` +
      `(${pct(d.removedAddresses, d.previousAddresses)}; ${d.removed} labels removed, ${d.added} added) of the ${kind}${was}. ` +
      `More than ${MAX_REMOVED_SHARE * 100}% of a dataset is removed only with --force (API: "force": true); ` +
      `if the file is another dataset (e.g. another part of a multi-file pack), import it with --dataset NAME (API: "dataset").`,
    {
      details: {
        dataset: c.dataset,
        removed: d.removed,
        removedAddresses: d.removedAddresses,
        added: d.added,
      },
    },
    "CONFLICT",
  );
}

function unchangedResult(previous: LabelImport, name: string, sourceHash: string): ImportResult {
  return {
    dataset: previous.dataset,
    format: previous.format,
    sourceFile: name,
    sourceHash,
    rows: previous.rows,
    skipped: previous.skipped,
    unchanged: true,
    skippedSample: [],
    skippedReasons: [],
    added: 0,
    removed: 0,
    removedAddresses: 0,
    previousRows: previous.rows,
    removedSample: [],
    authority: previous.authority,
  };
}

export interface ReadLabelOptions {
  format?: ImportFormat | undefined;
  dataset?: string | undefined;
  /** The file's path on disk: a TagPack's `!include` is resolved against it. */
  includeFrom?: string | undefined;
}

/** Decompresses, sniffs and parses one label file (what runs on a worker thread for large files). */
export async function readLabelFile(
  raw: Buffer,
  name: string,
  o: ReadLabelOptions = {},
): Promise<{ ds: LabelDataset; format: ImportFormat }> {
  let bytes: Buffer;
  try {
    bytes = await decodeFile(raw, name);
  } catch (cause) {
    throw new BadInputError(`cannot decompress ${quote(name)}: ${(cause as Error).message}`, { cause });
  }
  const text = bytes.toString("utf8");
  const fmt = o.format ?? (sniffLabelFormat(name, text.slice(0, 4096)) as ImportFormat | null);
  if (!fmt) {
    throw new BadInputError(
      `cannot tell the label format of ${quote(name)}; pass --format (${LABEL_FORMATS.join("|")})`,
    );
  }
  if (o.dataset !== undefined) checkDatasetName(o.dataset, fmt);
  const include = o.includeFrom === undefined ? undefined : tagPackIncludeResolver(o.includeFrom);
  try {
    return { ds: parseLabels(text, fmt, name, { dataset: o.dataset, include }), format: fmt };
  } catch (cause) {
    if (cause instanceof BadInputError) throw cause;
    throw new BadInputError(`${quote(name)} is not a valid ${fmt} file: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Told what each committed import added and removed (the watch re-screens against it). */
export type LabelImportHook = (change: LabelChange) => Promise<void>;

/** Calls with more addresses (a trace's annotations, a re-screen) are not kept: they would push out the rest. */
const CACHED_CALL_MAX = 1000;
/** What the labels of an address are read from (LabelStore.byAddresses, caseWalletsFor, clusterDefiningFor). */
export const LABEL_QUERIES = [
  "labels.by_addresses",
  "labels.case_wallets_for",
  "labels.cluster_defining_for",
];

export class LabelService {
  private readonly db: LabelStore;
  private readonly hooks: { hook: LabelImportHook; categories?: () => Promise<ReadonlySet<string>> }[] = [];

  private readonly cache: ReadCache<readonly LabelRecord[]>;

  constructor(store: Store) {
    this.db = new LabelStore(store);
    this.cache = new ReadCache(store, LABEL_QUERIES);
  }

  /** Imports one label file; idempotent (same bytes → no change; a newer file of a dataset replaces it). */
  async importFile(path: string, o: ImportFormat | ImportOptions = {}): Promise<ImportResult> {
    let raw: Buffer;
    try {
      raw = await readFile(path);
    } catch (cause) {
      throw new BadInputError(`cannot read label file ${quote(path)}: ${(cause as Error).message}`, {
        cause,
      });
    }
    return this.importBytes(raw, basename(path), o, path);
  }

  /**
   * Imports label bytes (`name` tells the compression and helps sniff the format). The dataset comes from
   * the content (or `dataset`); the replacement of what that dataset held is checked by checkReplacement
   * and reported (added, removed, which) in the result.
   */
  async importBytes(
    raw: Buffer,
    name: string,
    o: ImportFormat | ImportOptions = {},
    /** The file's path on disk, which a TagPack's `!include` is resolved against. */
    includeFrom?: string,
  ): Promise<ImportResult> {
    const opts: ImportOptions = typeof o === "string" ? { format: o } : o;
    const format = opts.format;
    if (format && !LABEL_FORMATS.includes(format)) {
      throw new BadInputError(`unknown label format ${quote(format)} (known: ${LABEL_FORMATS.join(", ")})`);
    }
    if (opts.dataset !== undefined) checkDatasetName(opts.dataset, format);
    const sourceHash = createHash("sha256").update(raw).digest("hex");
    const previous = await this.db.importByHash(sourceHash, opts.dataset ?? null);
    if (previous) return unchangedResult(previous, name, sourceHash);
    // a large file is decompressed and parsed on a worker thread, and its labels reach the database
    // through a spool file: the server keeps answering meanwhile
    const spool = join(tmpdir(), `fundtrace-labels-${process.pid}-${randomUUID()}.ndjson`);
    try {
      const { ds, format: fmt } = await readLabelFileOffThread(
        raw,
        name,
        { format, dataset: opts.dataset, includeFrom },
        spool,
      );
      return await this.replace(ds, fmt, name, sourceHash, opts);
    } finally {
      rmSync(spool, { force: true });
    }
  }

  private async replace(
    ds: LabelDataset | SpooledLabelDataset,
    fmt: ImportFormat,
    name: string,
    sourceHash: string,
    opts: ImportOptions,
  ): Promise<ImportResult> {
    const reserved = RESERVED_DATASETS[ds.dataset];
    if (reserved && reserved !== fmt)
      throw new BadInputError(
        `dataset "${ds.dataset}" is the ${reserved} publication's; a ${fmt} file cannot use it`,
      );
    const before = await this.db.importOf(ds.dataset);
    if (before && before.format !== fmt) {
      throw new BadInputError(
        `dataset "${ds.dataset}" holds ${before.format} labels (from ${before.source_file ?? "an earlier import"}); ` +
          `a ${fmt} file cannot replace them: import it with --dataset NAME (API: "dataset")`,
        {},
        "CONFLICT",
      );
    }
    const authority = before?.authority === true || AUTHORITY_FORMATS.has(fmt) || opts.authority === true;
    const diff = await this.db.replaceDataset(ds, name, sourceHash, {
      authority,
      keyChanges: await this.hookCategories(),
      check: (d) =>
        checkReplacement(
          d,
          {
            dataset: ds.dataset,
            file: name,
            format: fmt,
            rows: labelCount(ds),
            authority,
            force: opts.force === true,
          },
          before,
        ),
    });
    await this.tellHooks(ds.dataset, sourceHash, diff);
    return {
      dataset: ds.dataset,
      format: fmt,
      sourceFile: name,
      sourceHash,
      rows: labelCount(ds),
      skipped: ds.skipped.length,
      unchanged: false,
      skippedSample: ds.skipped.slice(0, 10),
      skippedReasons: skipReasons(ds.skipped),
      added: diff.added,
      removed: diff.removed,
      removedAddresses: diff.removedAddresses,
      previousRows: diff.previousRows,
      removedSample: diff.removedSample,
      authority,
    };
  }

  /**
   * Calls `hook` after every committed import with what it added and removed; with `categories`, only
   * labels of those (a first import of a large list does not hand over every label it adds).
   */
  onImport(hook: LabelImportHook, categories?: () => Promise<ReadonlySet<string>>): void {
    this.hooks.push({ hook, categories });
  }

  /** What the hooks want told: null when none listens, else the categories (null inside: all). */
  private async hookCategories(): Promise<{ categories: string[] | null } | undefined> {
    if (this.hooks.length === 0) return undefined;
    const all = new Set<string>();
    for (const h of this.hooks) {
      if (!h.categories) return { categories: null };
      for (const c of await h.categories()) all.add(c);
    }
    return { categories: [...all].sort() };
  }

  /** The hooks hear what an import added and removed (computed by the store, not read into memory). */
  private async tellHooks(dataset: string, sourceHash: string | null, diff: DatasetDiff): Promise<void> {
    if (this.hooks.length === 0 || !diff.keys) return;
    const change: LabelChange = { dataset, sourceHash, ...diff.keys };
    for (const { hook } of this.hooks) await hook(change);
  }

  /** Replaces the dataset's rows in one transaction without the guard (tests and benches build stores with it). */
  async writeDataset(ds: LabelDataset, sourceFile: string | null, sourceHash: string | null): Promise<void> {
    const diff = await this.db.replaceDataset(ds, sourceFile, sourceHash, {
      authority: AUTHORITY_FORMATS.has(ds.format),
      keyChanges: await this.hookCategories(),
    });
    await this.tellHooks(ds.dataset, sourceHash, diff);
  }

  async list(filter: LabelFilter = {}): Promise<{ total: number; labels: StoredLabel[] }> {
    const chain = filter.chain ? getChain(filter.chain).name : null;
    const params = { chain, category: filter.category ?? null, dataset: filter.dataset ?? null };
    const labels = await this.db.list(params, filter.limit ?? 1000, filter.offset ?? 0);
    const total = await this.db.count(params);
    return { total, labels };
  }

  async all(filter: Omit<LabelFilter, "limit" | "offset"> = {}): Promise<StoredLabel[]> {
    return (await this.list({ ...filter, limit: 1_000_000_000, offset: 0 })).labels;
  }

  async imports(): Promise<LabelImport[]> {
    return this.db.imports();
  }

  /**
   * Labels on these already-normalised addresses of one chain (EVM: any EVM chain's labels count). Kept
   * per address between calls of a few addresses (lookups, screening) until the labels of that address,
   * a case wallet or a cluster change (ReadCache).
   */
  async forAddresses(chain: string, addresses: string[]): Promise<Map<string, LabelRecord[]>> {
    const unique = [...new Set(addresses)];
    if (unique.length > CACHED_CALL_MAX) return this.lookup(chain, unique);
    const key = (a: string) => `${chain}\n${a}`;
    const kept = await this.cache.getMany(
      unique.map((a) => ({ key: key(a), scope: a })),
      async (missing) => {
        const found = await this.lookup(
          chain,
          missing.map((k) => k.slice(chain.length + 1)),
        );
        return new Map(missing.map((k) => [k, found.get(k.slice(chain.length + 1)) ?? []]));
      },
    );
    const out = new Map<string, LabelRecord[]>();
    for (const a of unique) {
      const ls = kept.get(key(a))!;
      // a copy: callers may add to the list
      if (ls.length > 0) out.set(a, [...ls]);
    }
    return out;
  }

  private async lookup(chain: string, unique: string[]): Promise<Map<string, LabelRecord[]>> {
    const out = new Map<string, LabelRecord[]>();
    if (unique.length === 0) return out;
    const space = new Set(sameAddressSpace(chain));
    const add = (l: LabelRecord) => {
      if (!space.has(l.chain)) return;
      const list = out.get(l.address) ?? [];
      list.push(l);
      out.set(l.address, list);
    };
    for (const l of await this.db.byAddresses(unique)) add(l);
    // a wallet flagged in a case is an attribution from the moment it is added
    for (const w of await this.db.caseWalletsFor(unique)) add(caseWalletLabel(w.caseName, w));
    // A cluster-defining label (e.g. an exchange's reserve wallets) applies to every member of its cluster.
    for (const r of await this.db.clusterDefiningFor(unique)) {
      if (!space.has(r.chain) || r.clusterChain !== r.chain) continue;
      const { target, clusterChain: _, ...stored } = r;
      const l = { ...stored, label: `${r.label} (cluster of ${r.address})`, address: target };
      const list = out.get(target) ?? [];
      if (!list.some((x) => x.category === l.category && x.source === l.source && x.label === l.label))
        list.push(l);
      out.set(target, list);
    }
    return out;
  }

  async forAddress(chain: string, address: string): Promise<LabelRecord[]> {
    const a = normalizeAddress(chain, address);
    return (await this.forAddresses(chain, [a])).get(a) ?? [];
  }

  async export(
    format: "tagpack" | "csv",
    filter: Omit<LabelFilter, "limit" | "offset"> = {},
  ): Promise<string> {
    const labels = await this.all(filter);
    if (format === "csv") return exportLabelCsv(labels);
    return exportTagPack(labels, { title: "fundtrace label export", creator: "fundtrace" });
  }
}
