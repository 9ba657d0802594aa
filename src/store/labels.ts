import { listValue, timestampValue } from "@duckdb/node-api";
import type { LabelDataset, LabelFormat, StoredLabel } from "../domain.ts";
import { StoreError } from "../errors.ts";
import type { Store } from "./db.ts";
import { flag, int, text, textOrNull } from "./rows.ts";

export interface LabelFilterParams {
  chain: string | null;
  category: string | null;
  dataset: string | null;
}

/** One row of label_imports (keys as stored: the API and CLI show it as is). */
export type LabelImport = {
  dataset: string;
  format: LabelFormat;
  source_file: string | null;
  source_hash: string | null;
  rows: number;
  skipped: number;
  imported_at: string;
};

/** A label on another member of an address's cluster: `target` is the address asked about. */
export interface ClusterDefiningLabel extends StoredLabel {
  target: string;
  clusterChain: string;
}

const YIELD_EVERY = 2000;

/** What a replacement would do to the stored dataset, weighed before it commits. */
export interface DatasetChange {
  /** Distinct addresses the dataset held before. */
  addresses: number;
  /** Of those, the ones the new file no longer lists. */
  delisted: number;
  /** Whether any stored label was authority-grade (confidence at or above the level given). */
  authority: boolean;
}

/** labels and label_imports. */
export class LabelStore {
  constructor(private readonly store: Store) {}

  /** The import of a file with these exact bytes, if any. */
  async importByHash(sourceHash: string): Promise<LabelImport | undefined> {
    const r = await this.store.one("labels.import_by_hash", { source_hash: sourceHash });
    return r && toImport(r);
  }

  async imports(): Promise<LabelImport[]> {
    return (await this.store.all("labels.imports")).map(toImport);
  }

  /**
   * Replaces the dataset's rows with these and records the import, in one transaction, writing only
   * the differences: the file's rows go to a scratch table (Appender), the stored rows it lacks are
   * deleted and its rows the store lacks are added. A label that stays keeps its row (and the file
   * and time it was first imported from). Answers the rows added and removed.
   */
  async replaceDataset(
    ds: LabelDataset,
    sourceFile: string | null,
    sourceHash: string | null,
    accept?: { authority: number; check(change: DatasetChange): void },
  ): Promise<{ added: number; removed: number }> {
    return this.store.tx(async (tx) => {
      await tx.run("labels.clear_work");
      const app = await tx.appender("label_work");
      let n = 0;
      for (const l of ds.labels) {
        // appending is synchronous: let other requests' reads answer while a large file goes in
        if (++n % YIELD_EVERY === 0) await new Promise(setImmediate);
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
        appendNullable(app, l.actor ?? null);
        app.endRow();
      }
      app.closeSync();
      if (accept) {
        const r = await tx.one("labels.dataset_summary", {
          dataset: ds.dataset,
          authority: accept.authority,
        });
        // a refusal throws: the transaction rolls back and the dataset stays as it was
        if (r)
          accept.check({
            addresses: int(r, "addresses"),
            delisted: int(r, "delisted"),
            authority: flag(r, "authority"),
          });
      }
      const removed = changed(await tx.all("labels.delete_gone", { dataset: ds.dataset }));
      const added = changed(
        await tx.all("labels.insert_new", {
          dataset: ds.dataset,
          source_file: sourceFile,
          source_hash: sourceHash,
          imported_at: timestampValue(BigInt(Date.now()) * 1000n),
        }),
      );
      await tx.run("labels.clear_work");
      await tx.run("labels.record_import", {
        dataset: ds.dataset,
        format: ds.format,
        source_file: sourceFile,
        source_hash: sourceHash,
        rows: ds.labels.length,
        skipped: ds.skipped.length,
      });
      tx.note({ labels: { [ds.dataset]: { added, removed } } });
      return { added, removed };
    });
  }

  /** Filters are optional (null = any); by chain, address, category, dataset, label. */
  async list(f: LabelFilterParams, limit: number, offset: number): Promise<StoredLabel[]> {
    const rows = await this.store.all("labels.list", { ...f, limit: BigInt(limit), offset: BigInt(offset) });
    return rows.map(toStored);
  }

  async count(f: LabelFilterParams): Promise<number> {
    const r = await this.store.one("labels.count", { ...f });
    return r ? int(r, "n") : 0;
  }

  /** Every label on any of these addresses, whatever its chain. */
  async byAddresses(addresses: string[]): Promise<StoredLabel[]> {
    return (await this.store.all("labels.by_addresses", { addresses: listValue(addresses) })).map(toStored);
  }

  /** Cluster-defining labels of the other members of these addresses' clusters. */
  async clusterDefiningFor(addresses: string[]): Promise<ClusterDefiningLabel[]> {
    const rows = await this.store.all("labels.cluster_defining_for", { addresses: listValue(addresses) });
    return rows.map((r) => ({
      ...toStored(r),
      target: text(r, "target"),
      clusterChain: text(r, "cluster_chain"),
    }));
  }
}

/** The row count DuckDB answers for an INSERT, UPDATE or DELETE. */
function changed(rows: Record<string, unknown>[]): number {
  const n = rows[0]?.Count;
  if (typeof n !== "bigint" && typeof n !== "number") throw new StoreError("a write answered no row count");
  return Number(n);
}

function appendNullable(
  app: { appendVarchar(v: string): void; appendNull(): void },
  v: string | null | undefined,
) {
  if (v === null || v === undefined) app.appendNull();
  else app.appendVarchar(v);
}

function toImport(r: Record<string, unknown>): LabelImport {
  return {
    dataset: text(r, "dataset"),
    format: labelFormat(text(r, "format")),
    source_file: textOrNull(r, "source_file"),
    source_hash: textOrNull(r, "source_hash"),
    rows: int(r, "rows"),
    skipped: int(r, "skipped"),
    imported_at: text(r, "imported_at"),
  };
}

const FORMATS: Record<LabelFormat, true> = {
  "ofac-sdn": true,
  tagpack: true,
  nbctf: true,
  csv: true,
  "evm-labels": true,
};

function isLabelFormat(f: string): f is LabelFormat {
  return Object.hasOwn(FORMATS, f);
}

function labelFormat(f: string): LabelFormat {
  if (!isLabelFormat(f)) throw new StoreError(`unknown label format "${f}" in label_imports`);
  return f;
}

/** Reads what the row has: by_addresses has no source file, hash or import time. */
function toStored(r: Record<string, unknown>): StoredLabel {
  return {
    chain: text(r, "chain"),
    address: text(r, "address"),
    currency: textOrNull(r, "currency") ?? "",
    label: text(r, "label"),
    category: text(r, "category"),
    source: text(r, "source"),
    confidence: int(r, "confidence"),
    program: textOrNull(r, "program"),
    reference: textOrNull(r, "reference"),
    clusterDefining: flag(r, "cluster_defining"),
    actor: textOrNull(r, "actor"),
    dataset: text(r, "dataset"),
    sourceFile: textOrNull(r, "source_file"),
    sourceHash: textOrNull(r, "source_hash"),
    importedAt: textOrNull(r, "imported_at") ?? "",
  };
}
