/** Retry rules in one pure function, so every adapter retries the same way. */

export interface FailureInfo {
  /** HTTP status when a response arrived. */
  status?: number;
  /** Network-level failure: timeout, reset, refused, truncated body. */
  network?: "timeout" | "reset" | "truncated" | "refused" | "other";
  /** Seconds or HTTP date from a Retry-After header. */
  retryAfter?: string | undefined;
  /** The source said it is throttling us (e.g. Etherscan "Max rate limit reached" in a 200 body). */
  throttled?: boolean;
}

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

export function shouldRetry(f: FailureInfo): boolean {
  if (f.throttled) return true;
  if (f.network) return true;
  if (f.status === undefined) return false;
  return f.status === 429 || f.status === 408 || (f.status >= 500 && f.status <= 599);
}

/** Milliseconds to wait from a Retry-After value (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Exponential backoff with full jitter; Retry-After wins when the server sends it (capped). */
export function backoffDelay(attempt: number, f: FailureInfo, p: RetryPolicy, random = Math.random): number {
  const ra = parseRetryAfter(f.retryAfter);
  if (ra !== undefined) return Math.min(ra, p.maxDelayMs * 4);
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
  return Math.round(cap / 2 + (random() * cap) / 2);
}
