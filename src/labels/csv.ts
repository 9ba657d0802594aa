import { parse } from "csv-parse/sync";
import { CHAINS, type ChainInfo, normalizeAddress } from "../chains.ts";
import type { LabelDataset, LabelRecord } from "../domain.ts";
import { BadInputError } from "../errors.ts";
import { addressErrorReason } from "./address-fast.ts";
import {
  confidenceLevel,
  isConfidence,
  taxonomyCategory,
  UNKNOWN_CONFIDENCE,
  unknownCategoryMessage,
} from "./taxonomy.ts";

/** Required header order for export; on import columns are matched by name (chain, address, label required). */
export const LABEL_CSV_COLUMNS = [
  "chain",
  "address",
  "label",
  "category",
  "source",
  "confidence",
  "program",
  "reference",
  "cluster_defining",
] as const;
/** Optional trailing columns, written by exportLabelCsv so TagPack actors and currencies survive. */
export const LABEL_CSV_EXTRA_COLUMNS = ["actor", "currency"] as const;

type Column = (typeof LABEL_CSV_COLUMNS)[number] | (typeof LABEL_CSV_EXTRA_COLUMNS)[number];
const KNOWN = new Set<string>([...LABEL_CSV_COLUMNS, ...LABEL_CSV_EXTRA_COLUMNS]);
const REQUIRED: Column[] = ["chain", "address", "label"];

const chainLookup = new Map<string, ChainInfo>();
for (const c of CHAINS) {
  chainLookup.set(c.name, c);
  for (const a of c.aliases ?? []) chainLookup.set(a, c);
}

export interface ParseLabelCsvOptions {
  sourceFile?: string;
  /** Dataset id chosen by the user; default `csv:<source>` when every row names the same source. */
  dataset?: string;
}

// C0/C1 controls other than tab and line breaks (a label or source carrying one is refused)
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** `csv:<source>`: a plain CSV's only statement of who published it is its rows' source. */
function csvDataset(sources: Set<string>): string {
  if (sources.size === 1) return `csv:${[...sources][0]}`;
  throw new BadInputError(
    sources.size === 0
      ? "a label CSV names its dataset by the source column (one value for every row); this file has none: pass --dataset NAME (API: dataset)"
      : `a label CSV names its dataset by the source column (one value for every row); this file has ${sources.size} (${[...sources].slice(0, 3).join(", ")}${sources.size > 3 ? ", ..." : ""}): pass --dataset NAME (API: dataset)`,
  );
}

function parseBool(v: string): boolean | null {
  const s = v.trim().toLowerCase();
  if (s === "" || s === "false" || s === "0" || s === "no" || s === "n" || s === "f") return false;
  if (s === "true" || s === "1" || s === "yes" || s === "y" || s === "t") return true;
  return null;
}

/**
 * Plain label CSV -> labels; bad rows go to `skipped` as "line N: reason". A category outside the GraphSense
 * taxonomy refuses the whole file, with the list of valid ones.
 */
export function parseLabelCsv(text: string, opts: ParseLabelCsvOptions = {}): LabelDataset {
  const skipped: LabelDataset["skipped"] = [];
  const rows = parse(text, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      if (err) skipped.push({ address: "", reason: `line ${err.lines}: ${err.message}` });
      return undefined;
    },
  }) as unknown as { record: string[]; info: { lines: number } }[];

  const head = rows[0];
  if (!head) return { dataset: opts.dataset ?? csvDataset(new Set()), format: "csv", labels: [], skipped };
  const names = head.record.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new BadInputError(
      `label CSV needs a header row (${LABEL_CSV_COLUMNS.join(",")}); missing: ${missing.join(", ")}`,
    );
  }
  const idx = new Map<Column, number>();
  names.forEach((n, i) => {
    if (!KNOWN.has(n)) return;
    if (idx.has(n as Column)) throw new BadInputError(`label CSV header repeats column "${n}"`);
    idx.set(n as Column, i);
  });

  const labels: LabelRecord[] = [];
  const sources = new Set<string>();
  const badCategories = new Map<string, number>();
  for (const { record, info } of rows.slice(1)) {
    const newlines = record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    const line = info.lines - newlines;
    const get = (c: Column): string => {
      const i = idx.get(c);
      return i === undefined ? "" : (record[i] ?? "").trim();
    };
    const address = get("address");
    const skip = (reason: string): void => {
      skipped.push({ address, reason: `line ${line}: ${reason}` });
    };
    if (record.length !== names.length) {
      skip(`expected ${names.length} fields, got ${record.length}`);
      continue;
    }
    const chainName = get("chain");
    const chain = chainLookup.get(chainName.toLowerCase());
    if (!chain) {
      skip(chainName === "" ? "empty chain" : `unknown chain "${chainName}"`);
      continue;
    }
    if (address === "") {
      skip("empty address");
      continue;
    }
    let normalized: string;
    try {
      normalized = normalizeAddress(chain.name, address);
    } catch (e) {
      skip(addressErrorReason(e));
      continue;
    }
    const label = get("label");
    if (label === "") {
      skip("empty label");
      continue;
    }
    const control = CONTROL.exec(label + get("source"));
    if (control) {
      skip(
        `label or source contains the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`,
      );
      continue;
    }
    const category = taxonomyCategory(get("category"));
    if (category === null) {
      if (!badCategories.has(get("category"))) badCategories.set(get("category"), line);
      continue;
    }
    const conf = get("confidence");
    if (conf !== "" && !isConfidence(conf)) {
      skip(`bad confidence "${conf}" (0..100 or a GraphSense confidence id)`);
      continue;
    }
    const cd = parseBool(get("cluster_defining"));
    if (cd === null) {
      skip(`bad cluster_defining "${get("cluster_defining")}" (true/false)`);
      continue;
    }
    if (get("source") !== "") sources.add(get("source"));
    labels.push({
      chain: chain.name,
      address: normalized,
      currency: get("currency") || chain.symbol,
      label,
      category,
      source: get("source"),
      confidence: conf === "" ? UNKNOWN_CONFIDENCE : confidenceLevel(conf),
      program: get("program") || null,
      reference: get("reference") || null,
      clusterDefining: cd,
      actor: get("actor") || null,
    });
  }
  if (badCategories.size > 0) {
    const [cat, line] = [...badCategories][0]!;
    const more = badCategories.size > 1 ? ` (and ${badCategories.size - 1} other unknown categories)` : "";
    throw new BadInputError(unknownCategoryMessage(cat, ` (line ${line})${more}`));
  }
  const dataset = opts.dataset ?? csvDataset(sources);
  // a row without a source is attributed to the dataset it was imported as
  for (const l of labels) if (l.source === "") l.source = dataset;
  return { dataset, format: "csv", labels, skipped };
}

function csvField(v: string): string {
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Labels -> CSV with the standard header plus actor,currency (parseLabelCsv reads it back unchanged). */
export function exportLabelCsv(labels: LabelRecord[]): string {
  const out = [[...LABEL_CSV_COLUMNS, ...LABEL_CSV_EXTRA_COLUMNS].join(",")];
  for (const l of labels) {
    const row = [
      l.chain,
      l.address,
      l.label,
      l.category,
      l.source,
      String(l.confidence),
      l.program ?? "",
      l.reference ?? "",
      l.clusterDefining ? "true" : "false",
      l.actor ?? "",
      l.currency,
    ];
    out.push(row.map(csvField).join(","));
  }
  return `${out.join("\n")}\n`;
}
