/**
 * The GraphSense TagPack schema check (graphsense-lib `TagPack.validate()` and `schema.check_type`), read
 * from the schema and taxonomy files in ./graphsense/. Import and export both run it: an export must pass
 * it unchanged, an import is refused with every problem and the line of the tag it is in.
 */
import { readFileSync } from "node:fs";
import { parse as parseCsv } from "csv-parse/sync";
import { parse as parseYaml } from "yaml";
import { taxonomyCategory } from "./taxonomy.ts";

type RawMap = Record<string, unknown>;

export interface FieldSpec {
  type: "text" | "boolean" | "datetime" | "list";
  mandatory: boolean;
  taxonomy?: string;
  item_type?: string;
}

export interface TagPackSchema {
  header: Record<string, FieldSpec>;
  tag: Record<string, FieldSpec>;
}

const file = (name: string) => readFileSync(new URL(`./graphsense/${name}`, import.meta.url), "utf8");
const csvRows = (name: string) =>
  parseCsv(file(name), { columns: true, trim: true, skip_empty_lines: true }) as Record<string, string>[];
const csvIds = (name: string): Set<string> => new Set(csvRows(name).map((r) => r.id!));

export const TAGPACK_SCHEMA = parseYaml(file("tagpack_schema.yaml")) as TagPackSchema;
/** Taxonomy name (as the schema names it) -> valid ids. */
export const TAXONOMY_IDS: Readonly<Record<string, ReadonlySet<string>>> = {
  concept: csvIds("concepts.csv"),
  confidence: csvIds("confidence.csv"),
  tag_type: csvIds("tag_types.csv"),
};

/** fundtrace's own exports before this version wrote these two keys; import still reads them. */
export const LEGACY_FIELDS: Readonly<Record<string, FieldSpec>> = {
  program: { type: "text", mandatory: false },
  reference: { type: "text", mandatory: false },
};

export interface ValidateOptions {
  /**
   * Import mode: also accept fundtrace's legacy `program`/`reference` fields, numeric confidence levels
   * (0..100, old fundtrace exports) and the legacy category names taxonomy.ts maps (mixer, tumbler, ...).
   */
  legacy?: boolean;
}

export interface TagRef {
  value: unknown;
  /** 1-based line of the tag in its file, when known. */
  line: number | null;
}

// C0 and C1 controls other than tab, line feed and carriage return (GraphSense: NUL is an error, the
// rest "to be rejected in a later release"; fundtrace refuses them now).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (v instanceof Date) return "date";
  return typeof v === "object" ? "mapping" : typeof v;
}

function checkText(field: string, v: unknown): string | null {
  if (typeof v !== "string") return `field ${field} must be text, found a ${kind(v)} (${JSON.stringify(v)})`;
  if (v.trim() === "") return `field ${field} is empty`;
  const c = CONTROL.exec(v);
  if (c) {
    const cp = c[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    return `field ${field} contains the control character U+${cp}`;
  }
  return null;
}

function inTaxonomy(taxonomy: string, v: string, legacy: boolean): boolean {
  if (taxonomy === "confidence" && legacy && /^\d+(\.\d+)?$/.test(v)) return Number(v) <= 100;
  if (taxonomy === "concept" && legacy) return taxonomyCategory(v) !== null;
  return TAXONOMY_IDS[taxonomy]?.has(v) ?? false;
}

/** One field's value against its spec; null when it passes. */
export function checkField(field: string, spec: FieldSpec, v: unknown, legacy = false): string | null {
  if (field === "confidence" && legacy && typeof v === "number") {
    return Number.isFinite(v) && v >= 0 && v <= 100 ? null : `confidence ${v} is outside 0..100`;
  }
  switch (spec.type) {
    case "text": {
      const e = checkText(field, v);
      if (e) return e;
      break;
    }
    case "boolean":
      if (typeof v !== "boolean")
        return `field ${field} must be a boolean (true/false), found a ${kind(v)} (${JSON.stringify(v)})`;
      return null;
    case "datetime":
      if (v instanceof Date) return null;
      if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return null;
      return `field ${field} must be a date, found ${JSON.stringify(v)}`;
    case "list": {
      if (!Array.isArray(v)) return `field ${field} must be a list, found a ${kind(v)}`;
      if (spec.item_type === "text") {
        for (const item of v) {
          const e = checkText(`${field} item`, item);
          if (e) return e;
        }
      }
      break;
    }
  }
  if (spec.taxonomy) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (!inTaxonomy(spec.taxonomy, String(item), legacy)) {
        return spec.taxonomy === "concept"
          ? `${field} "${item}" is not in the GraphSense concept taxonomy`
          : `${field} "${item}" is not a GraphSense ${spec.taxonomy} id`;
      }
    }
  }
  return null;
}

/**
 * The load-time normalisation GraphSense applies before validating (graphsense-lib TagPack.load_from_file
 * and init_default_values): a `header:` mapping is hoisted over the top-level keys, `network` defaults to
 * `currency`, `confidence` defaults to `unknown` in the header unless every tag has one, and a `context`
 * mapping becomes a JSON string. Returns new objects.
 */
export function applyTagPackDefaults(
  doc: RawMap,
  tags: TagRef[],
): { header: RawMap; tags: TagRef[]; errors: string[] } {
  const errors: string[] = [];
  const header: RawMap = { ...doc };
  if ("header" in header) {
    const h = header.header;
    delete header.header;
    if (typeof h === "object" && h !== null && !Array.isArray(h)) Object.assign(header, h);
    else errors.push(`header: must be a mapping (inline, or !include of a file), found a ${kind(h)}`);
  }
  delete header.tags;
  // tags are copied only when they change: packs hold up to hundreds of thousands
  const out = tags.map((t) => {
    if (typeof t.value !== "object" || t.value === null || Array.isArray(t.value)) return t;
    const v = t.value as RawMap;
    const network = !("network" in v) && "currency" in v;
    const context = typeof v.context === "object" && v.context !== null;
    if (!network && !context) return t;
    const c: RawMap = { ...v };
    if (network) c.network = c.currency;
    if (context) c.context = JSON.stringify(c.context);
    return { value: c, line: t.line };
  });
  if (!("network" in header) && "currency" in header) header.network = header.currency;
  if (typeof header.context === "object" && header.context !== null)
    header.context = JSON.stringify(header.context);
  const allConfident = out.every(
    (t) => typeof t.value === "object" && t.value !== null && "confidence" in (t.value as RawMap),
  );
  if (!("confidence" in header) && !allConfident) header.confidence = "unknown";
  return { header, tags: out, errors };
}

function where(t: TagRef, i: number): string {
  return t.line === null ? `tag #${i + 1}` : `tag at line ${t.line}`;
}

/**
 * Every schema problem of a pack (after applyTagPackDefaults), in file order. `hasTags` is false when the
 * document had no `tags` key at all.
 */
export function validateTagPack(
  header: RawMap,
  tags: TagRef[],
  opts: ValidateOptions & { hasTags?: boolean } = {},
): string[] {
  const legacy = opts.legacy === true;
  const tagFields: Record<string, FieldSpec> = legacy
    ? { ...TAGPACK_SCHEMA.tag, ...LEGACY_FIELDS }
    : TAGPACK_SCHEMA.tag;
  const all: Record<string, FieldSpec> = { ...TAGPACK_SCHEMA.header, ...tagFields };
  const errors: string[] = [];
  for (const [f, spec] of Object.entries(TAGPACK_SCHEMA.header)) {
    if (!spec.mandatory) continue;
    if (f === "tags" ? opts.hasTags === false : !(f in header)) errors.push(`header: field ${f} is missing`);
  }
  for (const [f, v] of Object.entries(header)) {
    const spec = all[f];
    if (!spec) errors.push(`header: field ${f} is not a TagPack field`);
    else if (v === null || v === undefined) errors.push(`header: field ${f} has no value`);
    else {
      const e = checkField(f, spec, v, legacy);
      if (e) errors.push(`header: ${e}`);
    }
  }
  // mandatory tag fields the header does not give: every tag must have them
  const required = Object.entries(tagFields)
    .filter(([f, spec]) => spec.mandatory && !(f in header))
    .map(([f]) => f);
  const addressInHeader = "address" in header;
  const txInHeader = "tx_hash" in header;
  tags.forEach((t, i) => {
    if (typeof t.value !== "object" || t.value === null || Array.isArray(t.value)) {
      errors.push(`${where(t, i)}: a tag must be a mapping, found a ${kind(t.value)}`);
      return;
    }
    const tag = t.value as RawMap;
    if (("address" in tag || addressInHeader) === ("tx_hash" in tag || txInHeader))
      errors.push(`${where(t, i)}: a tag needs exactly one of address and tx_hash`);
    for (const f of required) if (!(f in tag)) errors.push(`${where(t, i)}: field ${f} is missing`);
    for (const f in tag) {
      const v = tag[f];
      const spec = tagFields[f];
      if (!spec) errors.push(`${where(t, i)}: field ${f} is not a TagPack tag field`);
      else if (v === null || v === undefined) errors.push(`${where(t, i)}: field ${f} has no value`);
      else {
        const e = checkField(f, spec, v, legacy);
        if (e) errors.push(`${where(t, i)}: ${e}`);
      }
    }
  });
  return errors;
}

/** Confidence id -> level, as confidence.csv gives it (taxonomy.ts holds the same table). */
export const CONFIDENCE_CSV: Readonly<Record<string, number>> = Object.fromEntries(
  csvRows("confidence.csv").map((r) => [r.id!, Number(r.level)]),
);

/** Concept id -> broader concept id ("" for the top concept), as concepts.csv gives it. */
export const CONCEPTS_CSV: Readonly<Record<string, string>> = Object.fromEntries(
  csvRows("concepts.csv").map((r) => [r.id!, r.broader ?? ""]),
);
