/** Risk from labels (and, with tracing, from exposure): pure rules, configurable, with reasons. */

/** `unknown`: nothing was seen of the address (no stored history), so no band can be given. */
export type RiskBand = "unknown" | "none" | "low" | "medium" | "high" | "severe";

export interface Risk {
  score: number;
  band: RiskBand;
  reasons: string[];
}

/** Score of a category when an address carries it directly. Unknown categories score 0. */
export const DEFAULT_CATEGORY_SCORES: Readonly<Record<string, number>> = {
  terrorism_financing: 100,
  terrorism: 100,
  sanction: 100,
  child_sexual_abuse: 100,
  human_trafficking: 90,
  weapons: 85,
  drugs: 80,
  market: 80,
  ransomware: 85,
  hacking: 80,
  service_hack: 80,
  malware: 80,
  extortion: 75,
  sextortion: 75,
  money_laundering: 75,
  scam: 65,
  phishing: 65,
  ponzi_scheme: 60,
  investment_fraud: 60,
  financial_crime: 60,
  mixing_service: 60,
  coinjoin: 40,
  abuse: 50,
  // lists (a stablecoin issuer's freeze list, a government list) were "abuse" before graphsense-lib 2.8.0
  black_list: 50,
  gov_black_list: 50,
  exploit: 80,
  gambling: 25,
  exchange: 0,
  miner: 0,
};

export const BAND_THRESHOLDS: ReadonlyArray<[RiskBand, number]> = [
  ["severe", 90],
  ["high", 70],
  ["medium", 40],
  ["low", 1],
];

export function bandFor(score: number): RiskBand {
  for (const [band, min] of BAND_THRESHOLDS) if (score >= min) return band;
  return "none";
}

/** Risk of an address from its own labels: the worst category decides the score. */
export function riskFromCategories(
  categories: Iterable<string>,
  scores: Readonly<Record<string, number>> = DEFAULT_CATEGORY_SCORES,
): Risk {
  let score = 0;
  const reasons: string[] = [];
  for (const c of new Set(categories)) {
    const s = scores[c] ?? 0;
    if (s > 0) reasons.push(`direct label ${c} (${s})`);
    score = Math.max(score, s);
  }
  reasons.sort();
  return { score, band: bandFor(score), reasons };
}

export interface ExposureFact {
  category: string;
  direction: "in" | "out";
  direct: boolean;
  /** Share of the direction's total in basis points. */
  shareBps: number;
  amount: bigint;
}

export interface ExposureRules {
  /** Score of a category at full weight (direct exposure); unknown categories score 0. */
  categoryScores: Readonly<Record<string, number>>;
  /** Indirect exposure counts this fraction of the direct score (0..1). */
  indirectFactor: number;
  /** Below this share (basis points) the score is halved: a trace amount is not a relationship. */
  minShareBps: number;
  /** Incoming exposure (funds came from there) counts this fraction of outgoing (0..1). */
  incomingFactor: number;
}

/**
 * Defaults: direct exposure to terrorism financing or sanctions scores 100 (severe) whatever the
 * direction; indirect counts 75% (so indirect terror/sanction exposure is high); under 1% of the
 * flow counts half.
 */
export const DEFAULT_EXPOSURE_RULES: ExposureRules = {
  categoryScores: DEFAULT_CATEGORY_SCORES,
  indirectFactor: 0.75,
  minShareBps: 100,
  incomingFactor: 1,
};

/** Risk from the address's own labels and its exposure: the worst single reason decides the score. */
export function riskFromExposure(
  ownCategories: Iterable<string>,
  direct: ExposureFact[],
  indirect: ExposureFact[],
  rules: ExposureRules = DEFAULT_EXPOSURE_RULES,
): Risk {
  const own = riskFromCategories(ownCategories, rules.categoryScores);
  let score = own.score;
  const reasons = [...own.reasons];
  for (const f of [...direct, ...indirect]) {
    const base = rules.categoryScores[f.category] ?? 0;
    if (base <= 0 || f.amount <= 0n) continue;
    let s = base * (f.direct ? 1 : rules.indirectFactor) * (f.direction === "in" ? rules.incomingFactor : 1);
    if (f.shareBps < rules.minShareBps) s /= 2;
    s = Math.round(s);
    reasons.push(
      `${f.direct ? "direct" : "indirect"} ${f.direction === "in" ? "incoming" : "outgoing"} exposure to ${f.category}: ${(f.shareBps / 100).toFixed(2)}% (${s})`,
    );
    score = Math.max(score, s);
  }
  return { score, band: bandFor(score), reasons };
}
