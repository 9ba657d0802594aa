// Etherscan-derived labels: dawsbot/eth-labels (2024-06, MIT) and brianleect/etherscan-labels (2023-06, MIT).
import { readFile } from "node:fs/promises";
import { getChain } from "../chains.ts";
import type { LabelDataset, LabelRecord } from "../domain.ts";
import { BadInputError } from "../errors.ts";
import { addressErrorReason, normalizeTagAddress } from "./address-fast.ts";
import { CONFIDENCE_LEVELS, taxonomyCategory, unknownCategoryMessage } from "./taxonomy.ts";

export const EVM_LABELS_FORMAT = "evm-labels";

/** Explorer name in `chain_explorer` -> chains.ts chain. */
export const EXPLORER_CHAINS: Readonly<Record<string, string>> = {
  etherscan: "ethereum",
  bscscan: "bsc",
  arbiscan: "arbitrum",
  polygonscan: "polygon",
  optimistic: "optimism",
  optimism: "optimism",
  basescan: "base",
  snowtrace: "avalanche",
};

/** Etherscan category -> taxonomy concept ("risk" is refined by the label slugs below). */
export const EVM_CATEGORY_MAP: Readonly<Record<string, string>> = {
  exchange: "exchange",
  bridge: "defi_bridge",
  mixer: "mixing_service",
  risk: "abuse",
};

/** Etherscan risk label slug -> taxonomy concept. */
export const EVM_RISK_LABEL_MAP: Readonly<Record<string, string>> = {
  "ofac-sanctions-lists": "sanction",
  "phish-hack": "phishing",
  exploit: "exploit",
  heist: "service_hack",
  scam: "scam",
  blocked: "abuse", // frozen by a stablecoin issuer
  "flagged-by-sec": "abuse",
  "high-risk": "abuse",
  "something-fishy": "abuse",
};

/** Generic slugs that describe the category, not the entity. */
const GENERIC_SLUGS = new Set([
  "exchange",
  "bridge",
  "mixer",
  "hot-wallet",
  "cold-wallet",
  "fiat-gateway",
  "blocked",
]);

const WEB_CRAWL = CONFIDENCE_LEVELS.web_crawl;

interface Entry {
  chain: string;
  address: string;
  category: string;
  name: string;
  slugs: string[];
}

function categoriesFor(category: string, slugs: string[]): string[] {
  const c = category.trim().toLowerCase();
  if (c !== "risk") {
    const concept = taxonomyCategory(EVM_CATEGORY_MAP[c] ?? c);
    if (concept === null) throw new BadInputError(unknownCategoryMessage(category, " (explorer category)"));
    return [concept];
  }
  const risk = [
    ...new Set(slugs.map((s) => EVM_RISK_LABEL_MAP[s]).filter((x): x is string => x !== undefined)),
  ];
  return risk.length > 0 ? risk : ["abuse"];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The two publishers this format reads; the file's shape tells them apart. */
export const EVM_LABEL_DATASETS = {
  dawsbot: "evm-labels:dawsbot/eth-labels",
  brianleect: "evm-labels:brianleect/etherscan-labels",
} as const;

/**
 * Parses either shape: dawsbot array of {chain_explorer,label,category,address,nameTag} or brianleect
 * {addr: {name,labels,categories}}. The dataset is the publisher (from the shape) unless `dataset` is given.
 */
export function parseEvmLabels(
  text: string,
  opts: { sourceFile?: string; dataset?: string } = {},
): LabelDataset {
  const file = opts.sourceFile ?? "the file";
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new BadInputError(`invalid evm-labels JSON (${file}): ${(cause as Error).message}`, { cause });
  }
  const skipped: LabelDataset["skipped"] = [];
  const entries: Entry[] = [];
  let source: string;

  let dataset: string;
  if (Array.isArray(doc)) {
    source = "Etherscan-family explorer labels (dawsbot/eth-labels)";
    dataset = opts.dataset ?? EVM_LABEL_DATASETS.dawsbot;
    for (const r of doc) {
      if (!isObject(r) || typeof r.address !== "string") {
        skipped.push({ address: "", reason: "entry without an address" });
        continue;
      }
      const explorer = String(r.chain_explorer ?? "")
        .trim()
        .toLowerCase();
      const chain = EXPLORER_CHAINS[explorer];
      if (!chain) {
        skipped.push({ address: r.address, reason: `unsupported chain_explorer ${explorer || "(none)"}` });
        continue;
      }
      const slug = String(r.label ?? "").trim();
      for (const category of categoriesFor(String(r.category ?? ""), [slug])) {
        entries.push({
          chain,
          address: r.address,
          category,
          name: String(r.nameTag ?? "").trim(),
          slugs: [slug],
        });
      }
    }
  } else if (isObject(doc)) {
    source = "Etherscan labels (brianleect/etherscan-labels)";
    dataset = opts.dataset ?? EVM_LABEL_DATASETS.brianleect;
    for (const [address, r] of Object.entries(doc)) {
      if (!isObject(r)) {
        skipped.push({ address, reason: "entry is not an object" });
        continue;
      }
      const slugs = Array.isArray(r.labels) ? r.labels.map((x) => String(x).trim()) : [];
      const cats = Array.isArray(r.categories) ? r.categories.map(String) : [];
      if (cats.length === 0) cats.push("risk");
      for (const c of cats) {
        for (const category of categoriesFor(c, slugs)) {
          entries.push({ chain: "ethereum", address, category, name: String(r.name ?? "").trim(), slugs });
        }
      }
    }
  } else {
    throw new BadInputError(`not an evm-labels file (${file}): expected a JSON array or object`);
  }

  // one record per (chain, address, category); the same address often appears under several slugs
  const merged = new Map<string, { e: Entry; normalized: string; slugs: Set<string> }>();
  const failed = new Set<string>();
  for (const e of entries) {
    const raw = e.address.trim();
    const key0 = `${e.chain}\u0000${raw}`;
    if (failed.has(key0)) continue;
    let normalized: string;
    try {
      normalized = normalizeTagAddress(e.chain, raw);
    } catch (err) {
      failed.add(key0);
      skipped.push({ address: raw, reason: addressErrorReason(err) });
      continue;
    }
    const key = `${e.chain}\u0000${normalized}\u0000${e.category}`;
    const m = merged.get(key);
    if (m) {
      for (const s of e.slugs) m.slugs.add(s);
      if (!m.e.name && e.name) m.e = { ...m.e, name: e.name };
    } else {
      merged.set(key, { e, normalized, slugs: new Set(e.slugs) });
    }
  }

  const labels: LabelRecord[] = [];
  for (const { e, normalized, slugs } of merged.values()) {
    const slugList = [...slugs].filter((s) => s !== "").sort();
    const entity = slugList.find((s) => !GENERIC_SLUGS.has(s)) ?? slugList[0] ?? e.category;
    labels.push({
      chain: e.chain,
      address: normalized,
      currency: getChain(e.chain).symbol,
      label: e.name || entity,
      category: e.category,
      source,
      confidence: WEB_CRAWL,
      program: null,
      reference: slugList.length > 0 ? slugList.join(",") : null,
      clusterDefining: false,
      actor: null,
    });
  }
  // "evm-labels" is not in domain.ts LabelFormat yet
  return { dataset, format: EVM_LABELS_FORMAT as string as LabelDataset["format"], labels, skipped };
}

export async function readEvmLabelsFile(
  path: string,
  opts: { dataset?: string } = {},
): Promise<LabelDataset> {
  return parseEvmLabels(await readFile(path, "utf8"), { ...opts, sourceFile: path });
}
