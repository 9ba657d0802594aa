import { listValue, timestampValue } from "@duckdb/node-api";
import {
  type LabelDataset,
  type LabelFormat,
  type LabelRecord,
  labelCount,
  type SpooledLabelDataset,
  type StoredLabel,
} from "../domain.ts";
import { StoreError } from "../errors.ts";
import { appendRows, type Columns } from "./append.ts";
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
  /** An authority's dataset (OFAC, NBCTF, or marked at import): replaced only under the guard. */
  authority: boolean;
};

/** What replacing a dataset changes (labels.diff_dataset). */
export interface DatasetDiff {
  previousRows: number;
  previousAddresses: number;
  added: number;
  removed: number;
  /** Addresses that had a label of the dataset and have none after the replacement. */
  removedAddresses: number;
  /** Some removed labels, to name them. */
  removedSample: { chain: string; address: string; label: string; category: string }[];
  /** Labels added and removed by (chain, address, category), when asked for (`keyChanges`), of its categories. */
  keys?: { added: StoredLabel[]; removed: StoredLabel[] };
}

/** A wallet flagged in a case, as stored (case_wallets). */
export interface CaseWalletLabel {
  chain: string;
  address: string;
  label: string | null;
  category: string | null;
  note: string | null;
  caseName: string;
}

/** A label on another member of an address's cluster: `target` is the address asked about. */
export interface ClusterDefiningLabel extends StoredLabel {
  target: string;
  clusterChain: string;
}

/** Rows of an import in progress sit under this prefix + the dataset id until they replace the old ones. */
const STAGING_PREFIX = "\u0000staged:";
/** A replacement changing more addresses than this drops every cached label answer. */
const SCOPED_CHANGE_MAX = 20_000;

/** Appends the dataset's labels under `dataset` (the Appender does not evaluate column defaults). */
async function appendLabels(
  tx: Store,
  ds: LabelDataset | SpooledLabelDataset,
  dataset: string,
  sourceFile: string | null,
  sourceHash: string | null,
): Promise<void> {
  const now = timestampValue(BigInt(Date.now()) * 1000n);
  if (!("labels" in ds)) {
    await tx.run("labels.insert_spooled", {
      file: ds.file,
      dataset,
      source_file: sourceFile,
      source_hash: sourceHash,
      imported_at: now,
    });
    return;
  }
  const columns: Columns<LabelRecord> = [
    ["varchar", (l) => l.chain],
    ["varchar", (l) => l.address],
    ["varchar", (l) => l.currency ?? null],
    ["varchar", (l) => l.label],
    ["varchar", (l) => l.category],
    ["varchar", (l) => l.source],
    ["integer", (l) => Math.round(l.confidence)],
    ["varchar", (l) => l.program ?? null],
    ["varchar", (l) => l.reference ?? null],
    ["boolean", (l) => l.clusterDefining],
    ["varchar", () => dataset],
    ["varchar", () => sourceFile],
    ["varchar", () => sourceHash],
    ["timestamp", () => now],
    ["varchar", (l) => l.actor ?? null],
  ];
  // appending is synchronous: a large file goes in chunk by chunk, other requests answering between
  await appendRows(tx, "labels", columns, ds.labels, { yieldBetweenChunks: true });
}

/** labels and label_imports. */
export class LabelStore {
  constructor(private readonly store: Store) {}

  /** The import of a file with these exact bytes (into `dataset`, when given), if any. */
  async importByHash(sourceHash: string, dataset: string | null = null): Promise<LabelImport | undefined> {
    const r = await this.store.one("labels.import_by_hash", { source_hash: sourceHash, dataset });
    return r && toImport(r);
  }

  /** The latest import of a dataset, if any. */
  async importOf(dataset: string): Promise<LabelImport | undefined> {
    const r = await this.store.one("labels.import_of", { dataset });
    return r && toImport(r);
  }

  async imports(): Promise<LabelImport[]> {
    return (await this.store.all("labels.imports")).map(toImport);
  }

  /**
   * Replaces the dataset's rows and records the import, in one transaction: the new rows are staged under
   * a temporary dataset id, compared with the old ones, shown to `check` (which may throw: then nothing
   * changes), and only then swapped in. Appender for the bulk.
   */
  async replaceDataset(
    ds: LabelDataset | SpooledLabelDataset,
    sourceFile: string | null,
    sourceHash: string | null,
    o: {
      authority?: boolean;
      check?: (diff: DatasetDiff) => void;
      /** Compute `keys` for these categories (null: all). */
      keyChanges?: { categories: string[] | null };
    } = {},
  ): Promise<DatasetDiff> {
    const staged = `${STAGING_PREFIX}${ds.dataset}`;
    return this.store.tx(async (tx) => {
      // a staged set left by a crashed import would otherwise count as new rows
      await tx.run("labels.delete_dataset", { dataset: staged });
      await appendLabels(tx, ds, staged, sourceFile, sourceHash);
      const d = await tx.one("labels.diff_dataset", { dataset: ds.dataset, staged });
      const diff: DatasetDiff = {
        previousRows: d ? int(d, "previous_rows") : 0,
        previousAddresses: d ? int(d, "previous_addresses") : 0,
        added: d ? int(d, "added") : 0,
        removed: d ? int(d, "removed") : 0,
        removedAddresses: d ? int(d, "removed_addresses") : 0,
        removedSample: [],
      };
      if (diff.removed > 0) {
        const rows = await tx.all("labels.removed_sample", { dataset: ds.dataset, staged, limit: 10n });
        diff.removedSample = rows.map((r) => ({
          chain: text(r, "chain"),
          address: text(r, "address"),
          label: text(r, "label"),
          category: text(r, "category"),
        }));
      }
      o.check?.(diff);
      if (o.keyChanges) {
        const categories = o.keyChanges.categories;
        const rows = await tx.all("labels.key_changes", {
          dataset: ds.dataset,
          staged,
          categories: categories === null ? null : listValue(categories),
        });
        const of = (added: boolean) =>
          rows.filter((r) => flag(r, "added") === added).map((r) => toStored({ ...r, dataset: ds.dataset }));
        diff.keys = { added: of(true), removed: of(false) };
      }
      await this.declareChanged(tx, ds.dataset, staged);
      await tx.run("labels.delete_dataset", { dataset: ds.dataset });
      await tx.run("labels.rename_dataset", { staged, dataset: ds.dataset });
      await tx.run("labels.record_import", {
        dataset: ds.dataset,
        format: ds.format,
        source_file: sourceFile,
        source_hash: sourceHash,
        rows: labelCount(ds),
        skipped: ds.skipped.length,
        authority: o.authority === true,
      });
      // the audit row of the request that ran this import carries the counts
      tx.note({ labels: { [ds.dataset]: { added: diff.added, removed: diff.removed } } });
      return diff;
    });
  }

  /**
   * Tells the store which addresses this replacement changes, so cached answers of the others stay
   * valid (a newer edition of a list changes few rows). Not when many change, or a cluster-defining
   * label does (it concerns every member of its cluster).
   */
  private async declareChanged(tx: Store, dataset: string, staged: string): Promise<void> {
    const rows = await tx.all("labels.changed_addresses", {
      dataset,
      staged,
      limit: BigInt(SCOPED_CHANGE_MAX),
    });
    if (rows.length > SCOPED_CHANGE_MAX || rows.some((r) => flag(r, "cluster_defining"))) return;
    tx.changesOnly(
      "labels",
      rows.map((r) => text(r, "address")),
    );
  }

  /** Wallets flagged in cases on any of these addresses, whatever their chain. */
  async caseWalletsFor(addresses: string[]): Promise<CaseWalletLabel[]> {
    const rows = await this.store.all("labels.case_wallets_for", { addresses: listValue(addresses) });
    return rows.map((r) => ({
      chain: text(r, "chain"),
      address: text(r, "address"),
      label: textOrNull(r, "label"),
      category: textOrNull(r, "category"),
      note: textOrNull(r, "note"),
      caseName: text(r, "case_name"),
    }));
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

function toImport(r: Record<string, unknown>): LabelImport {
  return {
    dataset: text(r, "dataset"),
    format: labelFormat(text(r, "format")),
    source_file: textOrNull(r, "source_file"),
    source_hash: textOrNull(r, "source_hash"),
    rows: int(r, "rows"),
    skipped: int(r, "skipped"),
    imported_at: text(r, "imported_at"),
    authority: flag(r, "authority"),
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
