import { createHash } from "node:crypto";
import axios, { type AxiosInstance, isAxiosError } from "axios";
import PQueue from "p-queue";
import type { RawResponse, ResponseStore } from "../src/domain.ts";
import { UpstreamError } from "../src/errors.ts";
import { redactSecrets, redactUrl } from "../src/redact.ts";

export type { RawResponse, ResponseStore };

import { backoffDelay, DEFAULT_RETRY, type FailureInfo, type RetryPolicy, shouldRetry } from "./retry.ts";

/** Counts what a piece of work asked upstream; several clients may share one. */
export class RequestCounter {
  requests = 0;
  retries = 0;
  cacheHits = 0;
  failures = 0;
}

export interface HttpClientOptions {
  source: string;
  baseUrl: string;
  /** Requests per second to this source. */
  rps?: number;
  concurrency?: number;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Values to scrub from any message (API keys). */
  secrets?: (string | undefined)[];
  responses?: ResponseStore;
  counter?: RequestCounter;
  headers?: Record<string, string>;
  sleep?: (ms: number) => Promise<void>;
}

export interface GetOptions {
  /** Query parameters that belong in the cache key. */
  query?: Record<string, string | number | undefined>;
  /** Query parameters that must never be stored or logged (API keys). */
  secretQuery?: Record<string, string | undefined>;
  /** Keep the 2xx body in the response store; a function decides from the body (e.g. only once confirmed). */
  store?: boolean | ((body: string) => boolean);
  /** Look in the response store first (only for immutable resources). */
  reuse?: boolean;
  /** Statuses that are answers, not failures (e.g. 404 for "not found"). */
  accept?: number[];
  /** Inspect a 2xx body: return a failure to retry (e.g. a throttling message inside a 200). */
  check?: (body: string) => FailureInfo | undefined;
}

export interface GetResult {
  status: number;
  body: string;
  url: string;
  fromStore: boolean;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function classify(e: unknown): FailureInfo {
  if (isAxiosError(e)) {
    // A body cut short after a 200 header arrives as an error that still carries the 200 response.
    if (e.response && e.response.status >= 200 && e.response.status < 300) return { network: "truncated" };
    if (e.response)
      return {
        status: e.response.status,
        retryAfter: e.response.headers?.["retry-after"] as string | undefined,
      };
    const code = e.code ?? "";
    if (code === "ECONNABORTED" || code === "ETIMEDOUT" || /timeout/i.test(e.message))
      return { network: "timeout" };
    if (code === "ECONNREFUSED") return { network: "refused" };
    if (code === "ECONNRESET" || code === "EPIPE" || /socket hang up|aborted/i.test(e.message))
      return { network: "reset" };
    if (code === "ERR_BAD_RESPONSE") return { network: "truncated" };
    return { network: "other" };
  }
  return { network: "other" };
}

/** One HTTP layer for every adapter: rate limit, concurrency, retries with backoff, stored responses. */
export class HttpClient {
  readonly source: string;
  readonly counter: RequestCounter;
  private readonly http: AxiosInstance;
  private readonly queue: PQueue;
  private readonly policy: RetryPolicy;
  private readonly secrets: (string | undefined)[];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: HttpClientOptions) {
    this.source = opts.source;
    this.counter = opts.counter ?? new RequestCounter();
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.secrets = opts.secrets ?? [];
    this.sleep = opts.sleep ?? sleepReal;
    const rps = opts.rps ?? 10;
    this.queue = new PQueue({
      concurrency: opts.concurrency ?? 4,
      intervalCap: 1,
      interval: Math.max(1, Math.floor(1000 / rps)),
    });
    this.http = axios.create({
      baseURL: opts.baseUrl.replace(/\/+$/, ""),
      timeout: opts.timeoutMs ?? 20_000,
      responseType: "text",
      transformResponse: [(d) => d],
      validateStatus: () => true,
      headers: { "user-agent": "fundtrace", ...opts.headers },
      maxRedirects: 3,
    });
  }

  /** The URL as it may be shown or stored: base + path + non-secret query, secrets redacted. */
  publicUrl(path: string, query?: GetOptions["query"]): string {
    const u = new URL(this.opts.baseUrl.replace(/\/+$/, "") + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return redactUrl(u.toString());
  }

  private scrub(s: string): string {
    return redactSecrets(s, this.secrets);
  }

  async get(path: string, o: GetOptions = {}): Promise<GetResult> {
    const url = this.publicUrl(path, o.query);
    const qs = new URLSearchParams(
      Object.entries(o.query ?? {})
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    ).toString();
    const key = qs ? `${path}?${qs}` : path;
    if (o.reuse && this.opts.responses) {
      const hit = await this.opts.responses.get(this.source, key);
      if (hit) {
        this.counter.cacheHits++;
        return { status: hit.status, body: hit.body, url: hit.url, fromStore: true };
      }
    }
    const params = { ...o.query, ...o.secretQuery };
    for (let attempt = 0; ; attempt++) {
      let failure: FailureInfo | undefined;
      let status = 0;
      let body = "";
      try {
        const res = await this.queue.add(() => {
          this.counter.requests++;
          return this.http.get<string>(path, { params });
        });
        status = res!.status;
        body = typeof res!.data === "string" ? res!.data : String(res!.data ?? "");
        const declared = Number(res!.headers["content-length"]);
        if (Number.isFinite(declared) && declared > 0 && Buffer.byteLength(body) < declared) {
          failure = { network: "truncated" };
        } else if (status >= 200 && status < 300) {
          failure = o.check?.(body);
        } else if (!(o.accept ?? []).includes(status)) {
          failure = { status, retryAfter: res!.headers["retry-after"] as string | undefined };
        }
      } catch (e) {
        failure = classify(e);
      }
      if (!failure) {
        const sha256 = createHash("sha256").update(body).digest("hex");
        await this.opts.responses?.log?.({ source: this.source, url, request: "", status, sha256, body });
        const keep = typeof o.store === "function" ? o.store(body) : o.store;
        if (keep && this.opts.responses && status >= 200 && status < 300) {
          await this.opts.responses.put({ source: this.source, key, url, status, sha256, body });
        }
        return { status, body, url, fromStore: false };
      }
      const retryable = shouldRetry(failure) && attempt < this.policy.maxRetries;
      if (!retryable) {
        this.counter.failures++;
        const what = failure.status
          ? `HTTP ${failure.status}${body ? `: ${body.slice(0, 200)}` : ""}`
          : failure.network;
        throw new UpstreamError(
          this.source,
          this.scrub(`GET ${url} failed after ${attempt + 1} attempt(s): ${what}`),
          {
            status: failure.status,
            timeout: failure.network === "timeout",
            details: { url },
          },
        );
      }
      this.counter.retries++;
      await this.sleep(backoffDelay(attempt, failure, this.policy));
    }
  }

  /** GET and parse JSON; an unparsable body (cut short on the wire) counts as a failure and is retried. */
  async getJson<T>(
    path: string,
    o: GetOptions = {},
  ): Promise<{ status: number; data: T | undefined; body: string; url: string }> {
    const check = (body: string): FailureInfo | undefined => {
      try {
        JSON.parse(body);
      } catch {
        return { network: "truncated" };
      }
      return o.check?.(body);
    };
    const r = await this.get(path, { ...o, check });
    const ok = r.status >= 200 && r.status < 300;
    return { status: r.status, data: ok ? (JSON.parse(r.body) as T) : undefined, body: r.body, url: r.url };
  }

  async idle(): Promise<void> {
    await this.queue.onIdle();
  }
}
