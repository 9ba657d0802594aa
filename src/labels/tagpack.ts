import { hash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse as parseYaml } from "yaml";
import { CHAINS, type ChainInfo, chainForCurrency, getBitcoinNetwork, normalizeAddress } from "../chains.ts";
import type { LabelDataset, LabelRecord } from "../domain.ts";
import { BadInputError, InvalidAddressError } from "../errors.ts";
import { CONFIDENCE_LEVELS, confidenceLevel, confidenceName, normalizeCategory } from "./taxonomy.ts";

export interface ParseTagPackOptions {
  sourceFile?: string;
  /** Line-based fast path for the flat tag lists real packs use (default true); odd tags fall back to `yaml`. */
  fastPath?: boolean;
}

export interface TagPackMeta {
  title: string;
  creator: string;
  description?: string;
  lastmod?: string;
}

type RawMap = Record<string, unknown>;

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

/** "invalid bitcoin address: bad checksum" (the address itself is kept next to the reason). */
export function addressErrorReason(e: unknown): string {
  if (e instanceof InvalidAddressError) {
    const prefix = `invalid ${e.chain} address "${e.address}": `;
    const why = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    return `invalid ${e.chain} address: ${why}`;
  }
  return e instanceof Error ? e.message : String(e);
}

function stem(file: string): string {
  return basename(file).replace(/(\.(ya?ml|csv|json))?(\.(gz|bz2))?$/i, "");
}

// ---------- fast Bitcoin check ----------
// bitcoinjs/bs58check validation costs 10-70us per address; this mirrors it for the common shapes
// (base58 P2PKH/P2SH, bech32 v0) and returns null for anything else so normalizeAddress decides.

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const B58_MAP = new Int8Array(128).fill(-1);
for (let i = 0; i < B58.length; i++) B58_MAP[B58.charCodeAt(i)] = i;
const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_MAP = new Int8Array(128).fill(-1);
for (let i = 0; i < BECH32.length; i++) BECH32_MAP[BECH32.charCodeAt(i)] = i;
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymodStep(chk: number, v: number): number {
  const top = chk >>> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ v;
  for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!;
  return chk;
}

const LIMB = 2 ** 24;
const LIMBS = new Float64Array(9); // 216-bit accumulator, 24-bit limbs, 4 base58 digits per step
const POW58 = [1, 58, 58 ** 2, 58 ** 3, 58 ** 4];

/** base58 -> exactly 25 bytes as base-x decodes it, else null. */
function base58Decode25(s: string): Uint8Array | null {
  LIMBS.fill(0);
  for (let i = 0; i < s.length; ) {
    const n = Math.min(4, s.length - i);
    let carry = 0;
    for (let k = 0; k < n; k++, i++) {
      const code = s.charCodeAt(i);
      const v = code < 128 ? B58_MAP[code]! : -1;
      if (v < 0) return null;
      carry = carry * 58 + v;
    }
    const mul = POW58[n]!;
    for (let j = 8; j >= 0; j--) {
      const x = LIMBS[j]! * mul + carry;
      carry = Math.floor(x / LIMB);
      LIMBS[j] = x - carry * LIMB;
    }
    if (carry !== 0) return null;
  }
  if (LIMBS[0]! >= 256) return null; // value must fit in 25 bytes
  const out = new Uint8Array(25);
  out[0] = LIMBS[0]!;
  for (let j = 1, o = 1; j < 9; j++, o += 3) {
    const v = LIMBS[j]!;
    out[o] = v >>> 16;
    out[o + 1] = (v >>> 8) & 255;
    out[o + 2] = v & 255;
  }
  let zeros = 0;
  while (s.charCodeAt(zeros) === 49) zeros++;
  let lead = 0;
  while (lead < 25 && out[lead] === 0) lead++;
  // base-x output is one zero byte per leading '1' plus the value's bytes: 25 long iff these match
  return lead === zeros ? out : null;
}

function fastBitcoin(a: string): string | null {
  const net = getBitcoinNetwork();
  const hrp = net.bech32;
  if (a.length < 14 || a.length > 90) return null;
  if (a.slice(0, hrp.length + 1).toLowerCase() === `${hrp}1`) {
    if (!a.startsWith(`${hrp}1`)) return null;
    // lower-case bech32 witness v0 (P2WPKH 20 bytes / P2WSH 32 bytes)
    const dataLen = a.length - hrp.length - 1;
    const words = dataLen - 6 - 1;
    if (a.charCodeAt(hrp.length + 1) !== 113 /* q */ || (words !== 32 && words !== 52)) return null;
    let chk = 1;
    for (let i = 0; i < hrp.length; i++) chk = polymodStep(chk, hrp.charCodeAt(i) >> 5);
    chk = polymodStep(chk, 0);
    for (let i = 0; i < hrp.length; i++) chk = polymodStep(chk, hrp.charCodeAt(i) & 31);
    let last = 0;
    for (let i = hrp.length + 1; i < a.length; i++) {
      const code = a.charCodeAt(i);
      const v = code < 128 ? BECH32_MAP[code]! : -1;
      if (v < 0) return null;
      chk = polymodStep(chk, v);
      if (i === a.length - 7) last = v;
    }
    if (chk !== 1) return null;
    if (words === 52 && (last & 0xf) !== 0) return null; // non-zero padding
    return a;
  }
  if (a.length > 35) return null;
  const raw = base58Decode25(a);
  if (!raw) return null;
  const version = raw[0];
  if (version !== net.pubKeyHash && version !== net.scriptHash) return null;
  const payload = raw.subarray(0, 21);
  const h = hash("sha256", hash("sha256", payload, "buffer"), "buffer");
  if (h[0] !== raw[21] || h[1] !== raw[22] || h[2] !== raw[23] || h[3] !== raw[24]) return null;
  return a;
}

/** normalizeAddress with a faster path for valid mainnet-style Bitcoin addresses. */
export function normalizeTagAddress(chain: string, address: string): string {
  if (chain === "bitcoin") {
    const r = fastBitcoin(address);
    if (r !== null) return r;
  }
  return normalizeAddress(chain, address);
}

// ---------- fast path ----------

const KEY_RE = /^([A-Za-z_][A-Za-z0-9_.-]*):(?:[ ]+(.*))?$/;
const SQ_RE = /^'((?:[^']|'')*)'[ \t]*(?:#.*)?$/;
const DQ_RE = /^"([^"\\]*)"[ \t]*(?:#.*)?$/;
// YAML 1.2 core schema plain scalars that are not strings.
const CORE_NON_STRING =
  /^(?:~|null|Null|NULL|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
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
  if (CORE_NON_STRING.test(s)) return NO_VALUE;
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
function fastLoad(text: string): { header: RawMap; tags: unknown[] } | null {
  const m = /^tags:[ \t]*\r?$/m.exec(text);
  if (!m) return null;
  const headText = text.slice(0, m.index);
  if (/^(?:%|---|\.\.\.)/m.test(headText)) return null;
  let header: unknown;
  try {
    header = parseYaml(headText) ?? {};
  } catch {
    return null;
  }
  if (!isMap(header) || Object.hasOwn(header, "tags")) return null;

  const lines = text.slice(m.index + m[0].length).split("\n");
  const tags: unknown[] = [];
  let itemPrefix: string | null = null;
  let indent = 0;
  let cur: RawMap | null = null;
  let curStart = 0;
  let bad = false;
  let contPrefix = "";

  // runs of tags the fast path cannot read are parsed together by `yaml`
  let runStart = 0;
  let runCount = 0;
  const flush = (end: number): boolean => {
    if (runCount === 0) return true;
    let parsed: unknown;
    try {
      parsed = parseYaml(lines.slice(runStart, end).join("\n"));
    } catch {
      return false;
    }
    if (!Array.isArray(parsed) || parsed.length !== runCount) return false;
    for (const t of parsed) tags.push(t);
    runCount = 0;
    return true;
  };
  const finish = (): boolean => {
    if (cur === null) return true;
    if (bad) {
      if (runCount === 0) runStart = curStart;
      runCount++;
      return true;
    }
    if (!flush(curStart)) return false;
    tags.push(cur);
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
  return { header, tags };
}

function loadTagPack(text: string, opts: ParseTagPackOptions): { header: RawMap; tags: unknown[] } {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (opts.fastPath !== false) {
    const r = fastLoad(t);
    if (r) return r;
  }
  let doc: unknown;
  try {
    doc = parseYaml(t);
  } catch (cause) {
    const where = opts.sourceFile ? ` in ${opts.sourceFile}` : "";
    throw new BadInputError(`invalid TagPack YAML${where}: ${(cause as Error).message}`, { cause });
  }
  if (!isMap(doc) || !Array.isArray(doc.tags)) {
    throw new BadInputError(`not a TagPack${opts.sourceFile ? ` (${opts.sourceFile})` : ""}: no "tags" list`);
  }
  const { tags, ...header } = doc;
  return { header, tags: tags as unknown[] };
}

// ---------- parse ----------

/** A tag's own value, else the header's (null and "" count as unset). */
function inherit(tag: RawMap, header: RawMap, key: string): unknown {
  const v = tag[key];
  return v === null || v === undefined || v === "" ? header[key] : v;
}

/** GraphSense TagPack YAML -> labels; header fields are inherited by tags that do not set them. */
export function parseTagPack(text: string, opts: ParseTagPackOptions = {}): LabelDataset {
  const { header, tags } = loadTagPack(text, opts);
  const title = str(header.title);
  const dataset = `tagpack:${opts.sourceFile ? stem(opts.sourceFile) : (title ?? "untitled")}`;
  const labels: LabelRecord[] = [];
  const skipped: LabelDataset["skipped"] = [];

  const categoryMemo = new Map<string | null, string>();
  const confidenceMemo = new Map<string | null, number>();
  for (const raw of tags) {
    if (!isMap(raw)) {
      skipped.push({ address: "", reason: "tag is not a mapping" });
      continue;
    }
    const rawAddress = raw.address;
    if (typeof rawAddress !== "string" || rawAddress.trim() === "") {
      const reason =
        rawAddress === undefined || rawAddress === null
          ? raw.tx_hash !== undefined
            ? "transaction tag (no address)"
            : "missing address"
          : "address is not a string (unquoted number?)";
      skipped.push({ address: String(rawAddress ?? raw.tx_hash ?? ""), reason });
      continue;
    }
    const address = rawAddress.trim();
    const network = str(inherit(raw, header, "network"));
    const currency = str(inherit(raw, header, "currency"));
    const chain = tagChain(network, currency, address);
    if (chain === null) {
      const code = network ?? currency;
      skipped.push({ address, reason: code ? `unsupported currency ${code}` : "no currency or network" });
      continue;
    }
    let normalized: string;
    try {
      normalized = normalizeTagAddress(chain, address);
    } catch (e) {
      skipped.push({ address, reason: addressErrorReason(e) });
      continue;
    }
    // abuse (ransomware, sanction, ...) is the risk-relevant concept, so it wins over the entity category
    let rawCategory = str(inherit(raw, header, "abuse")) ?? str(inherit(raw, header, "category"));
    if (rawCategory === null) {
      const concepts = inherit(raw, header, "concepts");
      rawCategory = Array.isArray(concepts) ? str(concepts[0]) : null;
    }
    let category = categoryMemo.get(rawCategory);
    if (category === undefined) {
      category = normalizeCategory(rawCategory);
      categoryMemo.set(rawCategory, category);
    }
    const rawConfidence = str(inherit(raw, header, "confidence"));
    let confidence = confidenceMemo.get(rawConfidence);
    if (confidence === undefined) {
      confidence = confidenceLevel(rawConfidence);
      confidenceMemo.set(rawConfidence, confidence);
    }
    const cd = inherit(raw, header, "is_cluster_definer");
    const actor = str(inherit(raw, header, "actor"));
    labels.push({
      chain,
      address: normalized,
      currency: currency ?? network ?? "",
      label: str(inherit(raw, header, "label")) ?? actor ?? title ?? "",
      category,
      source: str(inherit(raw, header, "source")) ?? title ?? dataset,
      confidence,
      program: str(inherit(raw, header, "program")),
      reference: str(inherit(raw, header, "reference")),
      clusterDefining: cd === true || (typeof cd === "string" && cd.trim().toLowerCase() === "true"),
      actor,
    });
  }
  return { dataset, format: "tagpack", labels, skipped };
}

/** Reads a TagPack file (gzip detected by magic bytes) and parses it. */
export async function readTagPackFile(
  path: string,
  opts: Omit<ParseTagPackOptions, "sourceFile"> = {},
): Promise<LabelDataset> {
  let buf: Buffer = await readFile(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  return parseTagPack(buf.toString("utf8"), { ...opts, sourceFile: path });
}

// ---------- export ----------

const PLAIN_OK = /^[A-Za-z0-9_./(][^\u0000-\u001f\u007f\u0085\u2028\u2029\ufeff'"\\]*$/;

/** A YAML scalar that reads back as the same string/number/boolean. */
export function yamlScalar(v: string | number | boolean): string {
  if (typeof v !== "string") return String(v);
  const plain =
    PLAIN_OK.test(v) &&
    v === v.trim() &&
    !v.includes(": ") &&
    !v.includes(" #") &&
    !v.endsWith(":") &&
    !CORE_NON_STRING.test(v) &&
    !/^(?:true|True|TRUE|false|False|FALSE)$/.test(v);
  if (plain) return v;
  if (!/[\u0000-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(v)) return `'${v.replaceAll("'", "''")}'`;
  return JSON.stringify(v).replace(
    /[\u007f\u0085\u2028\u2029\ufeff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const TAG_KEYS = [
  "currency",
  "network",
  "label",
  "category",
  "source",
  "confidence",
  "is_cluster_definer",
  "actor",
  "program",
  "reference",
] as const;
type TagKey = (typeof TAG_KEYS)[number];

function currencyAndNetwork(l: LabelRecord): { currency: string; network: string } {
  const c = chainLookup.get(l.chain.trim().toLowerCase());
  if (!c) return { currency: l.currency || l.chain, network: l.chain };
  if (c.name === "bitcoin") return { currency: "BTC", network: "BTC" };
  if (c.name === "ethereum") return { currency: "ETH", network: "ETH" };
  if (c.name === "tron") return { currency: "TRX", network: "TRX" };
  if (c.family === "evm") return { currency: "ETH", network: c.name };
  return { currency: c.symbol, network: c.name };
}

function confidenceOut(level: number): string | number {
  const name = confidenceName(level);
  return CONFIDENCE_LEVELS[name] === level ? name : level;
}

/** Labels -> TagPack YAML; values shared by every tag go into the header. */
export function exportTagPack(labels: LabelRecord[], meta: TagPackMeta): string {
  const tags = labels.map((l) => {
    const { currency, network } = currencyAndNetwork(l);
    const t: Partial<Record<TagKey, string | number | boolean>> = {
      currency,
      network,
      label: l.label,
      category: l.category,
      source: l.source,
      confidence: confidenceOut(l.confidence),
      is_cluster_definer: l.clusterDefining,
    };
    if (l.actor) t.actor = l.actor;
    if (l.program !== null && l.program !== "") t.program = l.program;
    if (l.reference !== null && l.reference !== "") t.reference = l.reference;
    return t;
  });
  const shared = new Map<TagKey, string | number | boolean>();
  if (tags.length > 0) {
    for (const k of TAG_KEYS) {
      const v = tags[0]![k];
      if (v !== undefined && v !== "" && tags.every((t) => t[k] === v)) shared.set(k, v);
    }
  }
  const out: string[] = [`title: ${yamlScalar(meta.title)}`, `creator: ${yamlScalar(meta.creator)}`];
  if (meta.description) out.push(`description: ${yamlScalar(meta.description)}`);
  if (meta.lastmod) out.push(`lastmod: ${yamlScalar(meta.lastmod)}`);
  for (const [k, v] of shared) out.push(`${k}: ${yamlScalar(v)}`);
  if (tags.length === 0) {
    out.push("tags: []");
    return `${out.join("\n")}\n`;
  }
  out.push("tags:");
  for (let i = 0; i < tags.length; i++) {
    out.push(`- address: ${yamlScalar(labels[i]!.address)}`);
    const t = tags[i]!;
    for (const k of TAG_KEYS) {
      const v = t[k];
      if (v === undefined || v === "" || shared.has(k)) continue;
      out.push(`  ${k}: ${yamlScalar(v)}`);
    }
  }
  return `${out.join("\n")}\n`;
}
