import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { isNode, isSeq, LineCounter, parseDocument, parse as parseYaml } from "yaml";
import { CHAINS, type ChainInfo, chainForCurrency } from "../chains.ts";
import type { LabelDataset, LabelRecord } from "../domain.ts";
import { BadInputError } from "../errors.ts";
import { addressErrorReason, normalizeTagAddress } from "./address-fast.ts";
import { tagPackIncludeResolver } from "./tagpack-include.ts";
import { applyTagPackDefaults, type TagRef, validateTagPack } from "./tagpack-schema.ts";
import {
  CONCEPT_IDS,
  CONFIDENCE_LEVELS,
  type ConfidenceId,
  confidenceName,
  taxonomyCategory,
} from "./taxonomy.ts";
import { graphSenseYamlOptions, type IncludeResolver, isPyYamlNonString } from "./yaml11.ts";

export { normalizeTagAddress } from "./address-fast.ts";
export { exportTagPack, yamlScalar } from "./tagpack-export.ts";

export interface ParseTagPackOptions {
  sourceFile?: string;
  /** Line-based fast path for the flat tag lists real packs use (default true); odd tags fall back to `yaml`. */
  fastPath?: boolean;
  /** Dataset id chosen by the user; default `tagpack:<title> (<creator>)` from the pack's header. */
  dataset?: string;
  /** Resolves `header: !include FILE`; without it an include is refused (a pack sent as bytes). */
  include?: IncludeResolver;
}

type RawMap = Record<string, unknown>;
type YamlOptions = ReturnType<typeof graphSenseYamlOptions>;
interface Loaded {
  /** Top-level keys other than `tags` (a `header:` block is still nested here). */
  doc: RawMap;
  tags: TagRef[];
  hasTags: boolean;
}

/** More problems than this are counted, not listed, in the refusal message. */
const MAX_LISTED_PROBLEMS = 10;

const chainLookup = new Map<string, ChainInfo>();
const canonicalChain = new Map<string, ChainInfo>();
for (const c of CHAINS) {
  canonicalChain.set(c.name, c);
  chainLookup.set(c.name, c);
  for (const a of c.aliases ?? []) chainLookup.set(a, c);
}
/** Token-standard codes that name an EVM chain but are not chain aliases. */
const EVM_CODES: Record<string, string> = { BEP20: "bsc", ERC20: "ethereum", POLYGON: "polygon" };

/** Chain for a tag: a canonical chain name in `network` wins, then network/currency codes. */
export function tagChain(network: string | null, currency: string | null, address: string): string | null {
  if (network) {
    const c = canonicalChain.get(network.trim().toLowerCase());
    if (c) return c.name;
  }
  const evm = /^0x[0-9a-fA-F]{40}$/.test(address);
  for (const code of [network, currency]) {
    if (!code) continue;
    const byName = chainLookup.get(code.trim().toLowerCase());
    if (evm) {
      if (byName?.family === "evm") return byName.name;
      const x = EVM_CODES[code.trim().toUpperCase()];
      if (x) return x;
    } else {
      const r = chainForCurrency(code, address);
      if (r) return r;
      if (byName) return byName.name;
    }
  }
  if (evm) return chainForCurrency(network ?? currency ?? "", address);
  return null;
}

function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") {
    const s = v.trim();
    return s === "" ? null : s;
  }
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return null;
}

function isMap(v: unknown): v is RawMap {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// ---------- fast path ----------

const KEY_RE = /^([A-Za-z_][A-Za-z0-9_.-]*):(?:[ ]+(.*))?$/;
const SQ_RE = /^'((?:[^']|'')*)'[ \t]*(?:#.*)?$/;
const DQ_RE = /^"([^"\\]*)"[ \t]*(?:#.*)?$/;
const PLAIN_FIRST_BAD = new Set([..."-?:,[]{}#&*!|>'\"%@`"]);
const NO_VALUE = Symbol("no-value");

/** A single-line scalar; NO_VALUE for anything the fast path leaves to `yaml`. */
function fastScalar(v: string): unknown {
  const c = v[0];
  if (c === undefined) return NO_VALUE;
  if (c === "'") {
    const m = SQ_RE.exec(v);
    return m ? m[1]!.replaceAll("''", "'") : NO_VALUE;
  }
  if (c === '"') {
    const m = DQ_RE.exec(v);
    return m ? m[1]! : NO_VALUE;
  }
  if (PLAIN_FIRST_BAD.has(c)) return NO_VALUE;
  let s = v;
  const hash = s.search(/[ \t]#/);
  if (hash >= 0) s = s.slice(0, hash);
  s = s.trimEnd();
  if (
    s.includes(": ") ||
    s.endsWith(":") ||
    s.includes("\t") ||
    /[\u0000-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(s)
  ) {
    return NO_VALUE;
  }
  if (s === "true" || s === "True" || s === "TRUE") return true;
  if (s === "false" || s === "False" || s === "FALSE") return false;
  // YAML 1.1 booleans (yes, off, ...), numbers and dates: left to `yaml` with PyYAML's rules
  if (isPyYamlNonString(s)) return NO_VALUE;
  return s;
}

/** Adds `key: value` to obj (`key:` alone starts a list); false if the line needs the real parser. */
function fastKv(line: string, obj: RawMap): boolean | unknown[] {
  const m = KEY_RE.exec(line);
  if (!m) return false;
  const key = m[1]!;
  if (key === "__proto__" || Object.hasOwn(obj, key)) return false;
  if (m[2] === undefined) {
    const list: unknown[] = [];
    obj[key] = list;
    return list;
  }
  const v = fastScalar(m[2]);
  if (v === NO_VALUE) return false;
  obj[key] = v;
  return true;
}

function isSkippable(line: string): boolean {
  const t = line.trimStart();
  return t === "" || t.startsWith("#");
}

/** Header via `yaml`, flat tags line by line; null means "use the full parser". */
function fastLoad(text: string, yamlOpts: YamlOptions): Loaded | null {
  const m = /^tags:[ \t]*\r?$/m.exec(text);
  if (!m) return null;
  const headText = text.slice(0, m.index);
  if (/^(?:%|---|\.\.\.)/m.test(headText)) return null;
  let header: unknown;
  try {
    header = parseYaml(headText, yamlOpts) ?? {};
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    return null;
  }
  if (!isMap(header) || Object.hasOwn(header, "tags")) return null;

  const lines = text.slice(m.index + m[0].length).split("\n");
  // lines[i] is line tagsLine + i of the file (lines[0] is the rest of the `tags:` line)
  let tagsLine = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < m.index; i = text.indexOf("\n", i + 1)) tagsLine++;
  const tags: TagRef[] = [];
  let itemPrefix: string | null = null;
  let indent = 0;
  let cur: RawMap | null = null;
  let curStart = 0;
  let bad = false;
  let contPrefix = "";

  // runs of tags the fast path cannot read are parsed together by `yaml`
  let runStart = 0;
  let runLines: number[] = [];
  const flush = (end: number): boolean => {
    if (runLines.length === 0) return true;
    let parsed: unknown;
    try {
      parsed = parseYaml(lines.slice(runStart, end).join("\n"), yamlOpts);
    } catch (e) {
      if (e instanceof BadInputError) throw e;
      return false;
    }
    if (!Array.isArray(parsed) || parsed.length !== runLines.length) return false;
    parsed.forEach((t, k) => {
      tags.push({ value: t, line: runLines[k]! });
    });
    runLines = [];
    return true;
  };
  const finish = (): boolean => {
    if (cur === null) return true;
    if (bad) {
      if (runLines.length === 0) runStart = curStart;
      runLines.push(tagsLine + curStart);
      return true;
    }
    if (!flush(curStart)) return false;
    tags.push({ value: cur, line: tagsLine + curStart });
    return true;
  };

  let list = null as unknown[] | null; // block list being read for `key:`
  let listLead = -1;
  const kv = (text: string): void => {
    if (list !== null && list.length === 0) bad = true; // `key:` without items is null, leave it to yaml
    const r = fastKv(text, cur!);
    list = Array.isArray(r) ? r : null;
    listLead = -1;
    if (r === false) bad = true;
  };

  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (itemPrefix === null) {
      if (isSkippable(line)) continue;
      const im = /^( *)- /.exec(line);
      if (!im) return null;
      indent = im[1]!.length;
      itemPrefix = `${im[1]}- `;
    }
    if (line.startsWith(itemPrefix)) {
      if (list !== null && list.length === 0) bad = true;
      if (!finish()) return null;
      cur = {};
      curStart = i;
      bad = false;
      list = null;
      let j = indent + 1;
      while (line[j] === " ") j++;
      if (contPrefix.length !== j) contPrefix = " ".repeat(j);
      kv(line.slice(j));
      continue;
    }
    if (isSkippable(line)) continue;
    let lead = 0;
    while (line[lead] === " ") lead++;
    if (lead <= indent) return null; // something after the tag list
    if (bad) continue;
    const isItem = line.startsWith("- ", lead);
    if (isItem && list !== null && (lead === contPrefix.length || lead === contPrefix.length + 2)) {
      if (listLead === -1) listLead = lead;
      const v = lead === listLead ? fastScalar(line.slice(lead + 2)) : NO_VALUE;
      if (v === NO_VALUE) bad = true;
      else list.push(v);
    } else if (lead === contPrefix.length && !isItem) {
      kv(line.slice(lead));
    } else {
      bad = true;
    }
  }
  if (list !== null && list.length === 0) bad = true;
  if (!finish() || !flush(lines.length)) return null;
  return { doc: header, tags, hasTags: true };
}

/** The whole document through `yaml`, with each tag's line. */
function fullLoad(text: string, yamlOpts: YamlOptions, where: string): Loaded {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...yamlOpts, lineCounter });
  const err = doc.errors[0];
  if (err) throw new BadInputError(`invalid TagPack YAML${where}: ${err.message}`, { cause: err });
  const js: unknown = doc.toJS({ maxAliasCount: 10_000 });
  if (!isMap(js)) throw new BadInputError(`not a TagPack${where}: the document is not a mapping`);
  const { tags, ...rest } = js;
  if (tags === undefined) return { doc: rest, tags: [], hasTags: false };
  if (!Array.isArray(tags)) throw new BadInputError(`not a TagPack${where}: "tags" is not a list`);
  const node = doc.get("tags", true);
  const lines = isSeq(node)
    ? node.items.map((it) => {
        const start = isNode(it) ? it.range?.[0] : undefined;
        return start === undefined ? null : lineCounter.linePos(start).line;
      })
    : [];
  return { doc: rest, tags: tags.map((value, i) => ({ value, line: lines[i] ?? null })), hasTags: true };
}

function loadTagPack(text: string, opts: ParseTagPackOptions): Loaded {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const yamlOpts = graphSenseYamlOptions(opts.include ?? null);
  if (opts.fastPath !== false) {
    const r = fastLoad(t, yamlOpts);
    if (r) return r;
  }
  return fullLoad(t, yamlOpts, opts.sourceFile ? ` in ${opts.sourceFile}` : "");
}

// ---------- parse ----------

/** fundtrace's own keys in `context` JSON (see tagpack-export.ts). */
interface FundtraceContext {
  program?: string;
  reference?: string;
  confidence_level?: number;
}

function parseContext(v: unknown): FundtraceContext {
  if (typeof v !== "string" || !v.trimStart().startsWith("{")) return {};
  try {
    const o = JSON.parse(v) as unknown;
    return isMap(o) ? (o as FundtraceContext) : {};
  } catch {
    return {}; // GraphSense accepts a context that is not JSON
  }
}

/** Level of a confidence id, or of a number (fundtrace's older exports), refined by context's exact level. */
function confidenceOf(v: unknown, ctx: FundtraceContext): number {
  const level =
    typeof v === "number"
      ? v
      : typeof v === "string" && /^\d+(\.\d+)?$/.test(v.trim())
        ? Number(v)
        : CONFIDENCE_LEVELS[String(v).trim() as ConfidenceId];
  const exact = ctx.confidence_level;
  if (typeof exact === "number" && typeof v === "string" && confidenceName(exact) === v.trim()) return exact;
  return level ?? CONFIDENCE_LEVELS.unknown;
}

function refuse(errors: string[], what: string): never {
  const more =
    errors.length > MAX_LISTED_PROBLEMS ? ` (and ${errors.length - MAX_LISTED_PROBLEMS} more)` : "";
  const valid = errors.some((e) => e.includes("concept taxonomy"))
    ? `. Valid categories: ${[...CONCEPT_IDS].sort().join(", ")}`
    : "";
  throw new BadInputError(
    `${what} is not a valid GraphSense TagPack (${errors.length} problem${errors.length === 1 ? "" : "s"}): ` +
      `${errors.slice(0, MAX_LISTED_PROBLEMS).join("; ")}${more}${valid}`,
    { details: { problems: errors.slice(0, 100) } },
  );
}

/** One tag (its fields over the header's, not copied: packs hold up to hundreds of thousands) -> a label. */
function tagToLabel(
  header: RawMap,
  tag: RawMap,
  memo: Map<unknown, FundtraceContext>,
): LabelRecord | { address: string; reason: string } {
  const get = (k: string): unknown => (k in tag ? tag[k] : header[k]);
  const eff = {
    address: get("address"),
    tx_hash: get("tx_hash"),
    network: get("network"),
    currency: get("currency"),
    context: get("context"),
    concepts: get("concepts"),
    abuse: get("abuse"),
    category: get("category"),
    label: get("label"),
    source: get("source"),
    confidence: get("confidence"),
    program: get("program"),
    reference: get("reference"),
    is_cluster_definer: get("is_cluster_definer"),
    actor: get("actor"),
  };
  if (eff.address === undefined)
    return { address: String(eff.tx_hash ?? ""), reason: "transaction tag (no address)" };
  const address = String(eff.address).trim();
  const network = str(eff.network);
  const currency = str(eff.currency);
  const chain = tagChain(network, currency, address);
  if (chain === null) return { address, reason: `unsupported currency ${network ?? currency}` };
  let normalized: string;
  try {
    normalized = normalizeTagAddress(chain, address);
  } catch (e) {
    return { address, reason: addressErrorReason(e) };
  }
  let ctx = memo.get(eff.context);
  if (ctx === undefined) {
    ctx = parseContext(eff.context);
    memo.set(eff.context, ctx);
  }
  // abuse (ransomware, sanction, ...) is the risk-relevant concept, so it wins over the entity category
  const concepts = eff.concepts;
  const raw = str(eff.abuse) ?? str(eff.category) ?? (Array.isArray(concepts) ? str(concepts[0]) : null);
  return {
    chain,
    address: normalized,
    currency: currency ?? network ?? "",
    label: String(eff.label).trim(),
    category: taxonomyCategory(raw) ?? "unknown",
    source: String(eff.source).trim(),
    confidence: confidenceOf(eff.confidence, ctx),
    program: str(eff.program) ?? str(ctx.program),
    reference: str(eff.reference) ?? str(ctx.reference),
    clusterDefining: eff.is_cluster_definer === true,
    actor: str(eff.actor),
  };
}

/**
 * GraphSense TagPack YAML -> labels, read as graphsense-lib reads it (YAML 1.1, `header:` block or
 * `!include`, header fields inherited by tags). A pack that breaks the schema is refused with every
 * problem and its tag's line; tags fundtrace cannot use (other chains, bad checksums, transaction tags)
 * are skipped with the reason. The dataset is the pack's title and creator unless `dataset` is given.
 */
export function parseTagPack(text: string, opts: ParseTagPackOptions = {}): LabelDataset {
  const what = opts.sourceFile ?? "the pack";
  const loaded = loadTagPack(text, opts);
  const { header, tags, errors } = applyTagPackDefaults(loaded.doc, loaded.tags);
  errors.push(...validateTagPack(header, tags, { legacy: true, hasTags: loaded.hasTags }));
  if (errors.length > 0) refuse(errors, what);
  const dataset = opts.dataset ?? `tagpack:${String(header.title).trim()} (${String(header.creator).trim()})`;
  const labels: LabelRecord[] = [];
  const skipped: LabelDataset["skipped"] = [];
  const memo = new Map<unknown, FundtraceContext>();
  for (const t of tags) {
    const r = tagToLabel(header, t.value as RawMap, memo);
    if ("reason" in r) skipped.push({ address: r.address, reason: `line ${t.line ?? "?"}: ${r.reason}` });
    else labels.push(r);
  }
  return { dataset, format: "tagpack", labels, skipped };
}

/** Reads a TagPack file (gzip detected by magic bytes; `!include` resolved next to it) and parses it. */
export async function readTagPackFile(
  path: string,
  opts: Omit<ParseTagPackOptions, "sourceFile" | "include"> = {},
): Promise<LabelDataset> {
  let buf: Buffer = await readFile(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  return parseTagPack(buf.toString("utf8"), {
    ...opts,
    sourceFile: path,
    include: tagPackIncludeResolver(path),
  });
}
