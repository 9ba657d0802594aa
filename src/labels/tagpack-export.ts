/**
 * Labels -> a GraphSense TagPack that graphsense-lib's `tagpack validate` accepts: only schema fields
 * (fundtrace's program/reference go into `context` JSON), confidence as an id, taxonomy categories,
 * GraphSense network codes with the asset in `currency`, and scalars quoted wherever a YAML 1.1 reader
 * would not read them back as the same string.
 */
import { CHAINS, type ChainInfo } from "../chains.ts";
import type { LabelRecord } from "../domain.ts";
import { BadInputError } from "../errors.ts";
import { applyTagPackDefaults, validateTagPack } from "./tagpack-schema.ts";
import { CONFIDENCE_LEVELS, confidenceName, taxonomyCategory } from "./taxonomy.ts";
import { isPyYamlNonString } from "./yaml11.ts";

export interface TagPackMeta {
  title: string;
  creator: string;
  description?: string;
  lastmod?: string;
}

/**
 * fundtrace chain -> GraphSense `network` code and the chain's native asset for `currency`
 * (graphsense-lib constants.py KNOWN_NETWORKS; BASE, AVAX and the label-only chains without a GraphSense
 * code use the symbol real packs use).
 */
export const GRAPHSENSE_NETWORKS: Readonly<Record<string, { network: string; currency: string }>> = {
  bitcoin: { network: "BTC", currency: "BTC" },
  ethereum: { network: "ETH", currency: "ETH" },
  tron: { network: "TRX", currency: "TRX" },
  bsc: { network: "BSC", currency: "BNB" },
  polygon: { network: "MATIC", currency: "POL" },
  arbitrum: { network: "ARB", currency: "ETH" },
  optimism: { network: "OP", currency: "ETH" },
  base: { network: "BASE", currency: "ETH" },
  avalanche: { network: "AVAX", currency: "AVAX" },
  "ethereum-classic": { network: "ETC", currency: "ETC" },
  anvil: { network: "ANVIL", currency: "ETH" },
  litecoin: { network: "LTC", currency: "LTC" },
  "bitcoin-cash": { network: "BCH", currency: "BCH" },
  "bitcoin-sv": { network: "BSV", currency: "BSV" },
  "bitcoin-gold": { network: "BTG", currency: "BTG" },
  dash: { network: "DASH", currency: "DASH" },
  zcash: { network: "ZEC", currency: "ZEC" },
  dogecoin: { network: "DOGE", currency: "DOGE" },
  monero: { network: "XMR", currency: "XMR" },
  ripple: { network: "XRP", currency: "XRP" },
  solana: { network: "SOL", currency: "SOL" },
  verge: { network: "XVG", currency: "XVG" },
  "bnb-beacon": { network: "BNB", currency: "BNB" },
};

/** Token standards some sources put in `currency`: they name no asset, the chain's native one is meant. */
const TOKEN_STANDARDS = new Set(["ERC20", "BEP20", "BEP2", "TRC20", "OMNI"]);

const chainByCode = new Map<string, ChainInfo>();
for (const c of CHAINS) {
  chainByCode.set(c.name.toUpperCase(), c);
  for (const a of c.aliases ?? []) chainByCode.set(a.toUpperCase(), c);
}

/** GraphSense network and currency of a label: a token keeps its symbol, a chain code becomes the native asset. */
export function graphSenseCodes(l: Pick<LabelRecord, "chain" | "currency">): {
  network: string;
  currency: string;
} {
  const codes = GRAPHSENSE_NETWORKS[l.chain];
  if (!codes) throw new BadInputError(`chain "${l.chain}" has no GraphSense network code`);
  const c = (l.currency ?? "").trim().toUpperCase();
  // a code naming this same chain (XBT, MATIC, BSC, ...) or a token standard means the native asset
  if (c === "" || TOKEN_STANDARDS.has(c) || chainByCode.get(c)?.name === l.chain)
    return { network: codes.network, currency: codes.currency };
  return { network: codes.network, currency: c };
}

// YAML 1.2 core schema plain scalars that are not strings.
const CORE_NON_STRING =
  /^(?:~|null|Null|NULL|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
// What other YAML 1.1 readers (`yaml` in 1.1 mode, older libraries) also take for booleans, numbers or dates.
const OTHER_11 =
  /^(?:[yYnN]|[Tt]rue|TRUE|[Ff]alse|FALSE|[-+]?[0-9.][0-9_.:eE+-]*|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?|=|<<)$/;
const PLAIN_OK = /^[A-Za-z0-9_./(][^\u0000-\u001f\u007f\u0085\u2028\u2029\ufeff'"\\]*$/;

/** A YAML scalar that every YAML 1.1 and 1.2 reader reads back as the same string/number/boolean. */
export function yamlScalar(v: string | number | boolean): string {
  if (typeof v !== "string") return String(v);
  const plain =
    PLAIN_OK.test(v) &&
    v === v.trim() &&
    !v.includes(": ") &&
    !v.includes(" #") &&
    !v.endsWith(":") &&
    !CORE_NON_STRING.test(v) &&
    !isPyYamlNonString(v) &&
    !OTHER_11.test(v);
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
  "context",
] as const;
type TagKey = (typeof TAG_KEYS)[number];
type Tag = Partial<Record<TagKey, string | boolean>>;

/** What the schema has no field for, kept as a JSON object in `context` (never a `tags` key: see docs). */
function contextOf(l: LabelRecord, category: string | null, confidence: string): string | undefined {
  const ctx: Record<string, string | number> = {};
  if (l.program) ctx.program = l.program;
  if (l.reference) ctx.reference = l.reference;
  if (category === null && l.category) ctx.category = l.category;
  // a level between two ids (e.g. 55) keeps its exact value beside the nearest id
  if (CONFIDENCE_LEVELS[confidence as keyof typeof CONFIDENCE_LEVELS] !== l.confidence)
    ctx.confidence_level = l.confidence;
  return Object.keys(ctx).length > 0 ? JSON.stringify(ctx) : undefined;
}

function toTag(l: LabelRecord): Tag {
  if (l.label.trim() === "") {
    throw new BadInputError(
      `cannot export ${l.chain} ${l.address}: its label is empty (a TagPack needs one)`,
    );
  }
  const { currency, network } = graphSenseCodes(l);
  const category = taxonomyCategory(l.category);
  const confidence = confidenceName(l.confidence);
  const t: Tag = { currency, network, label: l.label, source: l.source, confidence };
  if (category !== null) t.category = category;
  t.is_cluster_definer = l.clusterDefining;
  if (l.actor) t.actor = l.actor;
  const context = contextOf(l, category, confidence);
  if (context !== undefined) t.context = context;
  return t;
}

/** YYYY-MM-DD of a date or timestamp string; other text is refused (lastmod is a schema datetime). */
function lastmodOut(v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/.exec(v.trim());
  if (!m) throw new BadInputError(`lastmod "${v}" is not a date (YYYY-MM-DD)`);
  return m[1]!;
}

/**
 * Labels -> TagPack YAML; values shared by every tag go into the header. The result passes the GraphSense
 * schema check (it is run on the pack before it is written; a label that cannot pass is refused).
 */
export function exportTagPack(labels: LabelRecord[], meta: TagPackMeta): string {
  const tags = labels.map(toTag);
  const shared = new Map<TagKey, string | boolean>();
  if (tags.length > 0) {
    for (const k of TAG_KEYS) {
      const v = tags[0]![k];
      if (v !== undefined && tags.every((t) => t[k] === v)) shared.set(k, v);
    }
  }
  const header: Record<string, string | boolean> = { title: meta.title, creator: meta.creator };
  if (meta.description) header.description = meta.description;
  if (meta.lastmod) header.lastmod = lastmodOut(meta.lastmod);
  for (const [k, v] of shared) header[k] = v;
  const refs = tags.map((t, i) => ({
    value: Object.fromEntries([
      ["address", labels[i]!.address],
      ...Object.entries(t).filter(([k]) => !shared.has(k as TagKey)),
    ]),
    line: null,
  }));
  const d = applyTagPackDefaults(header, refs);
  const errors = validateTagPack(d.header, d.tags);
  if (errors.length > 0) {
    throw new BadInputError(`the labels do not make a valid TagPack: ${errors.slice(0, 5).join("; ")}`);
  }
  const out = Object.entries(header).map(([k, v]) => `${k}: ${yamlScalar(v)}`);
  if (tags.length === 0) {
    out.push("tags: []");
    return `${out.join("\n")}\n`;
  }
  out.push("tags:");
  for (const r of refs) {
    const entries = Object.entries(r.value);
    out.push(`- ${entries.map(([k, v], j) => `${j === 0 ? "" : "  "}${k}: ${yamlScalar(v)}`).join("\n")}`);
  }
  return `${out.join("\n")}\n`;
}
