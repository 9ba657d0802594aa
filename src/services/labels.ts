import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { getChain, normalizeAddress, sameAddressSpace } from "../chains.ts";
import type { LabelDataset, LabelRecord, StoredLabel } from "../domain.ts";
import { BadInputError, quote } from "../errors.ts";
import { exportLabelCsv, parseLabelCsv } from "../labels/csv.ts";
import { parseEvmLabels } from "../labels/evm-labels.ts";
import { parseNbctfCsv } from "../labels/nbctf.ts";
import { parseOfacCsv, parseOfacSdnXml } from "../labels/ofac.ts";
import { sniffLabelFormat } from "../labels/sniff.ts";
import { exportTagPack, parseTagPack } from "../labels/tagpack.ts";
import { CONFIDENCE_LEVELS } from "../labels/taxonomy.ts";
import type { Store } from "../store/db.ts";
import { type LabelImport, LabelStore } from "../store/labels.ts";
import { readLabelFileOffThread } from "./label-worker.ts";

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
  /** Label rows the import added to the dataset, and removed from it (delistings). */
  added: number;
  removed: number;
  skippedSample: { address: string; reason: string }[];
}

/**
 * An import that would delist more than this share of an authority dataset's addresses (OFAC, NBCTF, any
 * dataset with authority-grade labels) is refused without `force`: a real list changes by a few
 * entries a day (the Tornado Cash delisting took 90 of 704 OFAC addresses over eight months), a
 * truncated or forged file delists nearly everything.
 */
export const MAX_AUTHORITY_DELIST_SHARE = 0.25;

export interface ImportOptions {
  /** Replace an authority dataset even when the new file would delist a large share of it. */
  force?: boolean;
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

/** Decompresses, sniffs and parses one label file (what runs on a worker thread for large files). */
export async function readLabelFile(
  raw: Buffer,
  name: string,
  format?: ImportFormat,
): Promise<{ ds: LabelDataset; format: ImportFormat }> {
  let bytes: Buffer;
  try {
    bytes = await decodeFile(raw, name);
  } catch (cause) {
    throw new BadInputError(`cannot decompress ${quote(name)}: ${(cause as Error).message}`, { cause });
  }
  const text = bytes.toString("utf8");
  const fmt = format ?? (sniffLabelFormat(name, text.slice(0, 4096)) as ImportFormat | null);
  if (!fmt) {
    throw new BadInputError(
      `cannot tell the label format of ${quote(name)}; pass --format (${LABEL_FORMATS.join("|")})`,
    );
  }
  let ds: LabelDataset;
  try {
    ds = parseLabels(text, fmt, name);
  } catch (cause) {
    if (cause instanceof BadInputError) throw cause;
    throw new BadInputError(`${quote(name)} is not a valid ${fmt} file: ${(cause as Error).message}`, {
      cause,
    });
  }
  return { ds, format: fmt };
}

export class LabelService {
  private readonly db: LabelStore;

  constructor(store: Store) {
    this.db = new LabelStore(store);
  }

  /** Imports one label file; idempotent (same bytes → no change; newer file of a dataset replaces it). */
  async importFile(path: string, format?: ImportFormat, opts: ImportOptions = {}): Promise<ImportResult> {
    let raw: Buffer;
    try {
      raw = await readFile(path);
    } catch (cause) {
      throw new BadInputError(`cannot read label file ${quote(path)}: ${(cause as Error).message}`, {
        cause,
      });
    }
    return this.importBytes(raw, basename(path), format, opts);
  }

  async importBytes(
    raw: Buffer,
    name: string,
    format?: ImportFormat,
    opts: ImportOptions = {},
  ): Promise<ImportResult> {
    if (format && !LABEL_FORMATS.includes(format)) {
      throw new BadInputError(`unknown label format ${quote(format)} (known: ${LABEL_FORMATS.join(", ")})`);
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
        added: 0,
        removed: 0,
        skippedSample: [],
      };
    }
    // a large file is decompressed and parsed on a worker thread: the server keeps answering meanwhile
    const { ds, format: fmt } = await readLabelFileOffThread(raw, name, format);
    const { added, removed } = await this.db.replaceDataset(ds, name, sourceHash, {
      authority: CONFIDENCE_LEVELS.authority_data,
      check: (c) => {
        if (opts.force || !c.authority || c.delisted <= c.addresses * MAX_AUTHORITY_DELIST_SHARE) return;
        throw new BadInputError(
          `${quote(name)} would delist ${c.delisted} of the ${c.addresses} addresses of the authority dataset ` +
            `${quote(ds.dataset)} (more than ${MAX_AUTHORITY_DELIST_SHARE * 100}%); nothing was changed. ` +
            "Check the file; to replace the dataset anyway, import it with force (--force)",
        );
      },
    });
    return {
      dataset: ds.dataset,
      format: fmt,
      sourceFile: name,
      sourceHash,
      rows: ds.labels.length,
      skipped: ds.skipped.length,
      unchanged: false,
      added,
      removed,
      skippedSample: ds.skipped.slice(0, 10),
    };
  }

  /** Replaces the dataset's rows in one transaction, writing only the differences; answers them. */
  async writeDataset(
    ds: LabelDataset,
    sourceFile: string | null,
    sourceHash: string | null,
  ): Promise<{ added: number; removed: number }> {
    return this.db.replaceDataset(ds, sourceFile, sourceHash);
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
