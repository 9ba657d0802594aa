import { BadInputError } from "../../errors.ts";
import { isConcept } from "../../labels/taxonomy.ts";

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
/** A year: a longer interval is a typing mistake. */
const MAX_SECONDS = 366 * 86_400;

/** Categories a query or watchlist alerts on unless told otherwise. */
export const DEFAULT_ALERT_ON = ["terrorism_financing", "sanction"] as const;

/**
 * An interval as people write it: a whole number and a unit, s, m, h or d ("15m", "24h").
 * `what` names the input in messages ("--every" on the CLI, "every" in the API).
 */
export function parseEvery(raw: string, what = "--every"): number {
  const s = raw.trim().toLowerCase();
  const m = /^(\d+)\s*([a-z]*)$/.exec(s);
  if (!m)
    throw new BadInputError(
      `${what} must be a whole number and a unit (s, m, h or d), e.g. 15m; got "${raw}"`,
    );
  const n = Number(m[1]);
  const unit = m[2]!;
  if (n === 0) throw new BadInputError(`${what} must be longer than 0, got "${raw}"`);
  if (unit === "") throw new BadInputError(`${what} needs a unit: s, m, h or d (e.g. "${n}m"); got "${raw}"`);
  const mult = UNITS[unit];
  if (mult === undefined)
    throw new BadInputError(`${what}: unknown unit "${unit}" in "${raw}" (use s, m, h or d, e.g. 15m)`);
  const seconds = n * mult;
  if (seconds > MAX_SECONDS) throw new BadInputError(`${what} must be at most 366d, got "${raw}"`);
  return seconds;
}

/** 900 → "15m", 86400 → "24h", 172800 → "2d", 90 → "90s": whole days from two on, else hours, minutes, seconds. */
export function formatEvery(seconds: number): string {
  if (seconds >= 172_800 && seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** `--since`: an ISO date or time ("2026-01-31", "2026-01-31T08:00:00Z") or a duration back from now ("24h"). */
export function parseSince(raw: string, now = new Date(), what = "--since"): Date {
  const s = raw.trim();
  if (/^\d+\s*[a-z]+$/i.test(s)) return new Date(now.getTime() - parseEvery(s, what) * 1000);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    // a date or a time without a zone is UTC, as every time fundtrace shows
    const iso = /T|\s/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s.replace(" ", "T")}Z` : s;
    const d = new Date(iso);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new BadInputError(
    `${what} must be an ISO date or time (2026-01-31, 2026-01-31T08:00:00Z) or a duration (24h), got "${raw}"`,
  );
}

/** Category names for alerts: known taxonomy concepts, distinct, in the given order. */
export function parseAlertOn(raw: readonly string[], what = "--alert-on"): string[] {
  const cats = [...new Set(raw.map((c) => c.trim().toLowerCase()).filter(Boolean))];
  if (cats.length === 0) throw new BadInputError(`${what} needs at least one category`);
  const unknown = cats.filter((c) => !isConcept(c));
  if (unknown.length > 0)
    throw new BadInputError(
      `${what}: unknown categor${unknown.length > 1 ? "ies" : "y"} ${unknown.join(", ")}`,
    );
  return cats;
}

/** A schedule change as the CLI and API give it: `every` "15m", or null/"off" to stop running on its own. */
export function scheduleChange(
  i: { every?: string | null; alertOn?: readonly string[] },
  names = { every: "every", alertOn: "alertOn" },
): { every?: number | null; alertOn?: string[] } {
  const out: { every?: number | null; alertOn?: string[] } = {};
  if (i.every === null || i.every?.trim().toLowerCase() === "off") out.every = null;
  else if (i.every !== undefined) out.every = parseEvery(i.every, names.every);
  if (i.alertOn !== undefined) out.alertOn = parseAlertOn(i.alertOn, names.alertOn);
  return out;
}
