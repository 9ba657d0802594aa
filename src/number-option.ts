import { BadInputError, quote } from "./errors.ts";

/** What a numeric option accepts. */
export interface NumberRule {
  min?: number;
  max?: number;
  /** Greater than 0 (a rate, an id). */
  positive?: boolean;
  /** Fractions allowed (a rate); otherwise whole numbers only. */
  fraction?: boolean;
}

const WHOLE = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function wanted(r: NumberRule): string {
  const kind = r.fraction ? "number" : "whole number";
  if (r.positive) return `a positive ${kind}`;
  if (r.min !== undefined && r.max !== undefined) return `${r.min}..${r.max}`;
  if (r.min !== undefined) return `a ${kind} ≥ ${r.min}`;
  if (r.max !== undefined) return `a ${kind} ≤ ${r.max}`;
  return `a ${kind}`;
}

/** The one parser of numeric options (--hops, --port, --max-addresses, --rps, block numbers...). */
export function parseNumberOption(flag: string, raw: string, rule: NumberRule = {}): number {
  const s = raw.trim();
  const n = (rule.fraction ? DECIMAL : WHOLE).test(s) ? Number(s) : Number.NaN;
  const ok =
    (rule.fraction ? Number.isFinite(n) : Number.isSafeInteger(n)) &&
    (!rule.positive || n > 0) &&
    (rule.min === undefined || n >= rule.min) &&
    (rule.max === undefined || n <= rule.max);
  if (!ok) throw new BadInputError(`${flag} must be ${wanted(rule)}, got ${quote(raw)}`);
  return n;
}
