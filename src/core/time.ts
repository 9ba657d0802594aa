/**
 * Times for people and for `--since/--until`: UTC, ISO 8601, whole seconds. Block times are Unix
 * seconds in the store; every answer shows them as `2024-03-01T12:00:00Z`.
 */

/** Unix seconds as UTC ISO 8601 (`2024-03-01T12:00:00Z`); null stays null. */
export function isoTime(unixSeconds: number | null | undefined): string | null {
  if (unixSeconds === null || unixSeconds === undefined) return null;
  return new Date(unixSeconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A `--since` / `--until` value as Unix seconds: a UTC date (`2024-03-01`) or an ISO 8601 date-time
 * with its offset (`2024-03-01T12:00:00Z`). A bare date as `end` means the end of that day, so
 * `--until 2024-03-31` includes the 31st. Throws RangeError naming the value otherwise.
 */
export function parseTimeBound(text: string, end: boolean): number {
  const t = text.trim();
  let ms: number;
  if (DATE.test(t)) ms = Date.parse(`${t}T00:00:00Z`) + (end ? 86_399_000 : 0);
  else if (DATE_TIME.test(t)) ms = Date.parse(t);
  else ms = Number.NaN;
  if (Number.isNaN(ms))
    throw new RangeError(
      `"${t.slice(0, 40)}" is not a UTC date (2024-03-01) or ISO 8601 time (2024-03-01T12:00:00Z)`,
    );
  return Math.floor(ms / 1000);
}

/**
 * Checks a time window as given (either end may be missing) and returns it in Unix seconds. The
 * RangeError names the bound that is wrong, as the caller calls it (`since`, or `--since` on the CLI).
 */
export function timeWindow(
  since: string | undefined,
  until: string | undefined,
  names: { since: string; until: string } = { since: "since", until: "until" },
): { since: number | null; until: number | null } {
  const bound = (name: string, text: string, end: boolean) => {
    try {
      return parseTimeBound(text, end);
    } catch (e) {
      if (e instanceof RangeError) throw new RangeError(`${name}: ${e.message}`);
      throw e;
    }
  };
  const s = since === undefined ? null : bound(names.since, since, false);
  const u = until === undefined ? null : bound(names.until, until, true);
  if (s !== null && u !== null && s > u)
    throw new RangeError(`${names.since} (${isoTime(s)}) is after ${names.until} (${isoTime(u)})`);
  return { since: s, until: u };
}

/** A window in Unix seconds for people: "2024-03-01T00:00:00Z to 2024-03-31T23:59:59Z" (open ends named). */
export function windowText(w: { since: number | null; until: number | null }): string {
  return `${isoTime(w.since) ?? "the first block"} to ${isoTime(w.until) ?? "the newest block"}`;
}
