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

/** Checks a time window as given (either end may be missing) and returns it in Unix seconds. */
export function timeWindow(
  since: string | undefined,
  until: string | undefined,
): { since: number | null; until: number | null } {
  const s = since === undefined ? null : parseTimeBound(since, false);
  const u = until === undefined ? null : parseTimeBound(until, true);
  if (s !== null && u !== null && s > u)
    throw new RangeError(`since (${isoTime(s)}) is after until (${isoTime(u)})`);
  return { since: s, until: u };
}
