import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { listValue, timestampValue } from "@duckdb/node-api";
import { getChain, normalizeAddress, sameAddressSpace } from "../chains.ts";
import type { LabelDataset, LabelRecord, StoredLabel } from "../domain.ts";
import { BadInputError } from "../errors.ts";
import { exportLabelCsv, parseLabelCsv } from "../labels/csv.ts";
import { parseEvmLabels } from "../labels/evm-labels.ts";
import { parseNbctfCsv } from "../labels/nbctf.ts";
import { parseOfacCsv, parseOfacSdnXml } from "../labels/ofac.ts";
import { sniffLabelFormat } from "../labels/sniff.ts";
import { exportTagPack, parseTagPack } from "../labels/tagpack.ts";
import type { Store } from "../store/db.ts";

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

export class LabelService {
  constructor(private readonly store: Store) {}

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
    const previous = await this.store.one<{ dataset: string; format: string; rows: number; skipped: number }>(
      "labels.import_by_hash",
      { source_hash: sourceHash },
    );
    if (previous) {
      return {
        dataset: previous.dataset,
        format: previous.format as ImportFormat,
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

  /** Replaces the dataset's rows in one transaction (Appender for the bulk). */
  async writeDataset(ds: LabelDataset, sourceFile: string | null, sourceHash: string | null): Promise<void> {
    await this.store.tx(async (tx) => {
      await tx.run("labels.delete_dataset", { dataset: ds.dataset });
      const app = await tx.appender("labels");
      // The Appender does not evaluate column defaults such as current_timestamp.
      const now = timestampValue(BigInt(Date.now()) * 1000n);
      for (const l of ds.labels) {
        app.appendVarchar(l.chain);
        app.appendVarchar(l.address);
        appendNullable(app, l.currency);
        app.appendVarchar(l.label);
        app.appendVarchar(l.category);
        app.appendVarchar(l.source);
        app.appendInteger(Math.round(l.confidence));
        appendNullable(app, l.program);
        appendNullable(app, l.reference);
        app.appendBoolean(l.clusterDefining);
        app.appendVarchar(ds.dataset);
        appendNullable(app, sourceFile);
        appendNullable(app, sourceHash);
        app.appendTimestamp(now);
        appendNullable(app, l.actor ?? null);
        app.endRow();
      }
      app.closeSync();
      await tx.run("labels.record_import", {
        dataset: ds.dataset,
        format: ds.format,
        source_file: sourceFile,
        source_hash: sourceHash,
        rows: ds.labels.length,
        skipped: ds.skipped.length,
      });
    });
  }

  async list(filter: LabelFilter = {}): Promise<{ total: number; labels: StoredLabel[] }> {
    const chain = filter.chain ? getChain(filter.chain).name : null;
    const params = { chain, category: filter.category ?? null, dataset: filter.dataset ?? null };
    const rows = await this.store.all("labels.list", {
      ...params,
      limit: BigInt(filter.limit ?? 1000),
      offset: BigInt(filter.offset ?? 0),
    });
    const total = Number((await this.store.one<{ n: bigint }>("labels.count", params))?.n ?? 0n);
    return { total, labels: rows.map(rowToStored) };
  }

  async all(filter: Omit<LabelFilter, "limit" | "offset"> = {}): Promise<StoredLabel[]> {
    return (await this.list({ ...filter, limit: 1_000_000_000, offset: 0 })).labels;
  }

  async imports(): Promise<Record<string, unknown>[]> {
    return this.store.all("labels.imports");
  }

  /** Labels on these already-normalised addresses of one chain (EVM: any EVM chain's labels count). */
  async forAddresses(chain: string, addresses: string[]): Promise<Map<string, LabelRecord[]>> {
    const out = new Map<string, LabelRecord[]>();
    if (addresses.length === 0) return out;
    const space = new Set(sameAddressSpace(chain));
    const rows = await this.store.all("labels.by_addresses", {
      addresses: listValue([...new Set(addresses)]),
    });
    for (const r of rows) {
      if (!space.has(r.chain as string)) continue;
      const l = rowToStored(r);
      const list = out.get(l.address) ?? [];
      list.push(l);
      out.set(l.address, list);
    }
    // A cluster-defining label (e.g. an exchange's reserve wallets) applies to every member of its cluster.
    const inherited = await this.store.all("labels.cluster_defining_for", {
      addresses: listValue([...new Set(addresses)]),
    });
    for (const r of inherited) {
      if (!space.has(r.chain as string) || r.cluster_chain !== r.chain) continue;
      const target = r.target as string;
      const l = {
        ...rowToStored(r),
        label: `${r.label as string} (cluster of ${r.address as string})`,
        address: target,
      };
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

function appendNullable(
  app: { appendVarchar(v: string): void; appendNull(): void },
  v: string | null | undefined,
) {
  if (v === null || v === undefined) app.appendNull();
  else app.appendVarchar(v);
}

function rowToStored(r: Record<string, unknown>): StoredLabel {
  return {
    chain: r.chain as string,
    address: r.address as string,
    currency: (r.currency as string | null) ?? "",
    label: r.label as string,
    category: r.category as string,
    source: r.source as string,
    confidence: Number(r.confidence),
    program: (r.program as string | null) ?? null,
    reference: (r.reference as string | null) ?? null,
    clusterDefining: Boolean(r.cluster_defining),
    actor: (r.actor as string | null) ?? null,
    dataset: r.dataset as string,
    sourceFile: (r.source_file as string | null) ?? null,
    sourceHash: (r.source_hash as string | null) ?? null,
    importedAt: (r.imported_at as string | undefined) ?? "",
  };
}
