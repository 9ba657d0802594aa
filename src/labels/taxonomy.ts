// GraphSense taxonomy: the concepts of graphsense-lib db/concepts.yaml and confidence.csv (MIT). The same
// data is in src/labels/graphsense/ (concepts.csv, confidence.csv); a test checks that both agree.
import { BadInputError, quote } from "../errors.ts";

/** Concept id -> broader concept id (null for the top concept). */
export const CONCEPT_BROADER = {
  concept: null,
  unknown: "concept",
  behaviour: "concept",
  source: "concept",
  mention: "source",
  website_mention: "mention",
  forum_mention: "website_mention",
  abuse: "behaviour",
  gray_usage: "behaviour",
  mixing: "gray_usage",
  white_usage: "behaviour",
  sexual_abuse: "abuse",
  child_sexual_abuse: "sexual_abuse",
  violence: "abuse",
  human_trafficking: "abuse",
  murder: "violence",
  torture: "violence",
  scam: "abuse",
  financial_crime: "abuse",
  investment_fraud: "financial_crime",
  ponzi_scheme: "investment_fraud",
  pyramid_scheme: "ponzi_scheme",
  money_laundering: "financial_crime",
  extortion: "abuse",
  sextortion: "extortion",
  phishing: "abuse",
  hacking: "abuse",
  service_hack: "hacking",
  account_hack: "hacking",
  exploit: "hacking",
  data_breach: "hacking",
  social_engineering: "hacking",
  malware: "hacking",
  drugs: "abuse",
  weapons: "abuse",
  payment_card_fraud: "financial_crime",
  ransomware: "extortion",
  sanction: "abuse",
  counterfeit: "abuse",
  extremism: "abuse",
  terrorism: "extremism",
  terrorism_financing: "extremism",
  dark_web: "source",
  entity: "concept",
  organization: "entity",
  user: "entity",
  service: "entity",
  victim: "user",
  perpetrator: "user",
  donation: "user",
  exchange: "service",
  wallet_service: "service",
  escrow_wallet: "wallet_service",
  ico_wallet: "wallet_service",
  cold_wallet: "white_usage",
  hot_wallet: "white_usage",
  warm_wallet: "white_usage",
  filesharing: "service",
  index: "service",
  market: "service",
  messaging_service: "service",
  mixing_service: "service",
  coinjoin: "mixing",
  miner: "user",
  mining_service: "service",
  gambling: "service",
  search_engine: "service",
  shop: "service",
  faucet: "service",
  payment_processor: "service",
  atm: "service",
  hosting: "service",
  vpn: "service",
  nameservice: "service",
  defi: "service",
  defi_token: "defi",
  defi_lending: "defi",
  defi_dex: "defi",
  defi_dex_pair: "defi_dex",
  defi_derivative: "defi",
  defi_bridge: "defi",
  defi_dao: "defi",
  defi_staking: "defi",
  defi_custody: "defi",
  item: "concept",
  collectible: "item",
  // added by graphsense-lib 2.8.0 (lists, deployer, funder) and 2.8.8 (deposit_wallet)
  deposit_wallet: "white_usage",
  black_list: "abuse",
  gov_black_list: "black_list",
  white_list: "white_usage",
  gov_white_list: "white_list",
  deployer: "behaviour",
  funder: "behaviour",
} as const satisfies Record<string, string | null>;

export type ConceptId = keyof typeof CONCEPT_BROADER;
export const CONCEPT_IDS = Object.keys(CONCEPT_BROADER) as ConceptId[];

/** Confidence id -> numeric level (0..100). */
export const CONFIDENCE_LEVELS = {
  override: 100,
  ownership: 100,
  ledger_immanent: 100,
  manual_transaction: 90,
  service_api: 70,
  forensic_investigation: 70,
  authority_data: 60,
  trusted_provider: 50,
  service_data: 50,
  forensic: 50,
  untrusted_transaction: 40,
  web_crawl: 20,
  heuristic: 10,
  unknown: 5,
} as const satisfies Record<string, number>;

export type ConfidenceId = keyof typeof CONFIDENCE_LEVELS;
export const UNKNOWN_CONFIDENCE = CONFIDENCE_LEVELS.unknown;

/** Preferred id when several share a level (export writes these). */
const LEVEL_NAME: Record<number, ConfidenceId> = {
  100: "ledger_immanent",
  70: "forensic_investigation",
  50: "service_data",
};

export function isConcept(id: string): id is ConceptId {
  return Object.hasOwn(CONCEPT_BROADER, id);
}

/** The concept and its broader concepts up to the root, e.g. sextortion, extortion, abuse, behaviour, concept. */
export function conceptAncestors(id: string): string[] {
  const out: string[] = [];
  let cur: string | null = isConcept(id) ? id : null;
  while (cur !== null && !out.includes(cur)) {
    out.push(cur);
    cur = CONCEPT_BROADER[cur as ConceptId];
  }
  return out;
}

/** Confidence name (or numeric level) -> level 0..100; unknown names and out-of-range numbers give 5. */
export function confidenceLevel(nameOrNumber: string | number | null | undefined): number {
  if (typeof nameOrNumber === "number") {
    return Number.isFinite(nameOrNumber) && nameOrNumber >= 0 && nameOrNumber <= 100
      ? nameOrNumber
      : UNKNOWN_CONFIDENCE;
  }
  if (typeof nameOrNumber !== "string") return UNKNOWN_CONFIDENCE;
  const s = nameOrNumber.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return confidenceLevel(Number(s));
  const key = s.replace(/[\s-]+/g, "_");
  return Object.hasOwn(CONFIDENCE_LEVELS, key) ? CONFIDENCE_LEVELS[key as ConfidenceId] : UNKNOWN_CONFIDENCE;
}

/** True if the value is a confidence id or a number/numeric string in 0..100. */
export function isConfidence(nameOrNumber: string | number): boolean {
  if (typeof nameOrNumber === "number")
    return Number.isFinite(nameOrNumber) && nameOrNumber >= 0 && nameOrNumber <= 100;
  const s = nameOrNumber.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) <= 100;
  return Object.hasOwn(CONFIDENCE_LEVELS, s.replace(/[\s-]+/g, "_"));
}

/** The confidence id whose level equals (or is closest to) level; ties on distance go to the higher level. */
export function confidenceName(level: number): ConfidenceId {
  const exact = LEVEL_NAME[level];
  if (exact) return exact;
  let best: ConfidenceId = "unknown";
  let bestDist = Number.POSITIVE_INFINITY;
  for (const [id, l] of Object.entries(CONFIDENCE_LEVELS) as [ConfidenceId, number][]) {
    const d = Math.abs(l - level);
    if (d < bestDist || (d === bestDist && l > CONFIDENCE_LEVELS[best])) {
      best = LEVEL_NAME[l] ?? id;
      bestDist = d;
    }
  }
  return best;
}

/** Non-taxonomy names seen in packs/label files (or common legacy names) -> taxonomy concept id. */
export const LEGACY_CATEGORIES: Readonly<Record<string, ConceptId>> = {
  blacklist: "black_list",
  blocked: "black_list", // frozen by a stablecoin issuer
  whitelist: "white_list",
  defi_derivatives: "defi_derivative", // concepts.yaml key differs from its id
  mixer: "mixing_service",
  tumbler: "mixing_service",
  bridge: "defi_bridge",
  dex: "defi_dex",
  darknet_market: "market",
  dark_market: "market",
  darknet: "dark_web",
  mining_pool: "mining_service",
  mining: "mining_service",
  sanctions: "sanction",
  sanctioned: "sanction",
  ofac: "sanction",
  terrorist_financing: "terrorism_financing",
  terror_financing: "terrorism_financing",
  hack: "hacking",
  heist: "service_hack",
  phish: "phishing",
  crypto_atm: "atm",
  ico: "ico_wallet",
  fraud: "financial_crime",
  ponzi: "ponzi_scheme",
};

/** Lower-case, spaces/hyphens -> underscore, legacy names -> taxonomy id; other unknown names are kept. */
export function normalizeCategory(cat: string | null | undefined): string {
  if (cat === null || cat === undefined) return "unknown";
  const s = String(cat)
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  if (s === "") return "unknown";
  if (isConcept(s)) return s;
  return LEGACY_CATEGORIES[s] ?? s;
}

/** The taxonomy concept for a category name (legacy names mapped), or null when it has none. */
export function taxonomyCategory(cat: string | null | undefined): ConceptId | null {
  const c = normalizeCategory(cat);
  return isConcept(c) ? c : null;
}

/** "category "x" is not in the GraphSense taxonomy; valid: abuse, account_hack, ..." */
export function unknownCategoryMessage(cat: string, where = ""): string {
  return (
    `category ${quote(cat)}${where} is not in the GraphSense concept taxonomy; valid categories: ` +
    `${[...CONCEPT_IDS].sort().join(", ")}`
  );
}

/** The taxonomy concept for a category name; anything else is refused with the list of valid ones. */
export function requireCategory(cat: string | null | undefined, where = ""): ConceptId {
  const c = taxonomyCategory(cat);
  if (c === null) throw new BadInputError(unknownCategoryMessage(String(cat), where));
  return c;
}
