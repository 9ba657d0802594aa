/** Retry rules in pure functions, and the one retry loop every source goes through (`withRetry`). */

export interface FailureInfo {
  /** HTTP status when a response arrived. */
  status?: number;
  /** Network-level failure: timeout, reset, truncated body, refused connection, DNS lookup failed. */
  network?: "timeout" | "reset" | "truncated" | "refused" | "dns" | "other";
  /** Seconds or HTTP date from a Retry-After header. */
  retryAfter?: string | undefined;
  /** The source said it is throttling us (e.g. Etherscan "Max rate limit reached" in a 200 body). */
  throttled?: boolean;
  /**
   * A 2xx answer that is not the source's API (an HTML page, a captive portal, a proxy's error page),
   * with a short description of what came instead. Asking again gives the same page: never retried.
   */
  foreign?: string;
}

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

export function shouldRetry(f: FailureInfo): boolean {
  if (f.foreign !== undefined) return false;
  if (f.throttled) return true;
  if (f.network) return true;
  if (f.status === undefined) return false;
  // 501 Not Implemented and 505 HTTP Version Not Supported say the same on every try.
  if (f.status === 501 || f.status === 505) return false;
  return f.status === 429 || f.status === 408 || (f.status >= 500 && f.status <= 599);
}

/**
 * How many retries a failure of this kind gets: a host that does not resolve or refuses connections
 * rarely comes back within seconds, so it gets one retry (a blip) instead of the full backoff.
 */
export function retryLimit(f: FailureInfo, p: RetryPolicy): number {
  if (!shouldRetry(f)) return 0;
  if (f.network === "dns" || f.network === "refused") return Math.min(1, p.maxRetries);
  return p.maxRetries;
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

/** One try: the value, or why it failed (with the error or answer that says so). */
export type Attempt<T> = { ok: true; value: T } | { ok: false; failure: FailureInfo; cause: unknown };

export interface RetryHooks {
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  /** Called before each wait: the retry about to be made (1-based), out of how many, and the delay. */
  onRetry?: (r: { retry: number; of: number; delayMs: number; failure: FailureInfo }) => void;
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds or its failure is final (not retryable, or out of retries), waiting
 * `backoffDelay` between tries. Gives back the last failure and the number of attempts made, so the
 * caller words the error with what it knows (URL, method).
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<Attempt<T>>,
  h: RetryHooks,
): Promise<Attempt<T> & { attempts: number }> {
  for (let n = 0; ; n++) {
    const a = await attempt(n);
    if (a.ok) return { ...a, attempts: n + 1 };
    const limit = retryLimit(a.failure, h.policy);
    if (n >= limit) return { ...a, attempts: n + 1 };
    const delayMs = backoffDelay(n, a.failure, h.policy, h.random);
    h.onRetry?.({ retry: n + 1, of: limit, delayMs, failure: a.failure });
    await h.sleep(delayMs);
  }
}
