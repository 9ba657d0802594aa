/** Risk from labels (and, with tracing, from exposure): pure rules, configurable, with reasons. */

export type RiskBand = "none" | "low" | "medium" | "high" | "severe";

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
