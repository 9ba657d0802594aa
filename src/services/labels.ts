import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { getChain, normalizeAddress, sameAddressSpace } from "../chains.ts";
import { type LabelChange, labelChange } from "../core/label-change.ts";
import type { LabelDataset, LabelRecord, StoredLabel } from "../domain.ts";
import { BadInputError } from "../errors.ts";
import { exportLabelCsv, parseLabelCsv } from "../labels/csv.ts";
import { parseEvmLabels } from "../labels/evm-labels.ts";
import { parseNbctfCsv } from "../labels/nbctf.ts";
import { parseOfacCsv, parseOfacSdnXml } from "../labels/ofac.ts";
import { sniffLabelFormat } from "../labels/sniff.ts";
import { exportTagPack, parseTagPack } from "../labels/tagpack.ts";
import type { Store } from "../store/db.ts";
import { type LabelImport, LabelStore } from "../store/labels.ts";

export const LABEL_FORMATS = ["ofac-sdn", "tagpack", "nbctf", "csv", "evm-labels"] as const;
export type ImportFormat = (typeof LABEL_FORMATS)[number];

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

export function parseLabels(text: string, format: ImportFormat, sourceFile: string): LabelDataset {
  switch (format) {
    case "ofac-sdn":
      return text.trimStart().startsWith("<")
        ? parseOfacSdnXml(text, { sourceFile })
        : parseOfacCsv(text, { sourceFile });
    case "tagpack":
      return parseTagPack(text, { sourceFile });
    case "nbctf":
      return parseNbctfCsv(text, { sourceFile });
    case "csv":
      return parseLabelCsv(text, { sourceFile });
    case "evm-labels":
      return parseEvmLabels(text, { sourceFile });
  }
}

/** Told what each committed import added and removed (the watch re-screens against it). */
export type LabelImportHook = (change: LabelChange) => Promise<void>;

export class LabelService {
  private readonly db: LabelStore;
  private readonly hooks: LabelImportHook[] = [];

  constructor(store: Store) {
    this.db = new LabelStore(store);
  }

  /** Imports one label file; idempotent (same bytes → no change; newer file of a dataset replaces it). */
  async importFile(path: string, format?: ImportFormat): Promise<ImportResult> {
    let raw: Buffer;
    try {
      raw = await readFile(path);
    } catch (cause) {
      throw new BadInputError(`cannot read label file ${path}: ${(cause as Error).message}`, { cause });
    }
    return this.importBytes(raw, basename(path), format);
  }

  async importBytes(raw: Buffer, name: string, format?: ImportFormat): Promise<ImportResult> {
    if (format && !LABEL_FORMATS.includes(format)) {
      throw new BadInputError(`unknown label format "${format}" (known: ${LABEL_FORMATS.join(", ")})`);
    }
    const sourceHash = createHash("sha256").update(raw).digest("hex");
    const previous = await this.db.importByHash(sourceHash);
    if (previous) {
      return {
        dataset: previous.dataset,
        format: previous.format,
        sourceFile: name,
        sourceHash,
        rows: previous.rows,
        skipped: previous.skipped,
        unchanged: true,
        skippedSample: [],
      };
    }
    let bytes: Buffer;
    try {
      bytes = await decodeFile(raw, name);
    } catch (cause) {
      throw new BadInputError(`cannot decompress ${name}: ${(cause as Error).message}`, { cause });
    }
    const text = bytes.toString("utf8");
    const fmt = format ?? (sniffLabelFormat(name, text.slice(0, 4096)) as ImportFormat | null);
    if (!fmt) {
      throw new BadInputError(
        `cannot tell the label format of ${name}; pass --format (${LABEL_FORMATS.join("|")})`,
      );
    }
    let ds: LabelDataset;
    try {
      ds = parseLabels(text, fmt, name);
    } catch (cause) {
      if (cause instanceof BadInputError) throw cause;
      throw new BadInputError(`${name} is not a valid ${fmt} file: ${(cause as Error).message}`, { cause });
    }
    await this.writeDataset(ds, name, sourceHash);
    return {
      dataset: ds.dataset,
      format: fmt,
      sourceFile: name,
      sourceHash,
      rows: ds.labels.length,
      skipped: ds.skipped.length,
      unchanged: false,
      skippedSample: ds.skipped.slice(0, 10),
    };
  }

  /** Calls `hook` after every committed import with what it added and removed. */
  onImport(hook: LabelImportHook): void {
    this.hooks.push(hook);
  }

  /** Replaces the dataset's rows in one transaction (Appender for the bulk), then tells the hooks. */
  async writeDataset(ds: LabelDataset, sourceFile: string | null, sourceHash: string | null): Promise<void> {
    const before = this.hooks.length > 0 ? await this.all({ dataset: ds.dataset }) : [];
    await this.db.replaceDataset(ds, sourceFile, sourceHash);
    if (this.hooks.length === 0) return;
    const change = labelChange(ds.dataset, sourceHash, before, ds.labels);
    for (const hook of this.hooks) await hook(change);
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

  /** Labels on these already-normalised addresses of one chain (EVM: any EVM chain's labels count). */
  async forAddresses(chain: string, addresses: string[]): Promise<Map<string, LabelRecord[]>> {
    const out = new Map<string, LabelRecord[]>();
    if (addresses.length === 0) return out;
    const space = new Set(sameAddressSpace(chain));
    const unique = [...new Set(addresses)];
    for (const l of await this.db.byAddresses(unique)) {
      if (!space.has(l.chain)) continue;
      const list = out.get(l.address) ?? [];
      list.push(l);
      out.set(l.address, list);
    }
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
