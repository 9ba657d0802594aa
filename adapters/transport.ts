/**
 * The one HTTP transport every source uses (Esplora, Etherscan/Blockscout, JSON-RPC through ethers):
 * rate limit and concurrency (p-queue), one retry loop (`withRetry`: backoff, Retry-After, throttling
 * inside a 200), classification of what went wrong, retry events, stored and logged responses.
 *
 * What it tells apart, so the user reads the real reason:
 * - a DNS failure or a refused connection: "cannot reach HOST: …", after at most one retry;
 * - a 2xx answer that is not the API (an HTML page where JSON was due): at once, never retried;
 * - a body cut short (declared length not received, or JSON that stops mid-way): retried.
 * Errors keep their cause with every secret scrubbed (API keys, node URLs with keys in them).
 */
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from "axios";
import PQueue from "p-queue";
import type { ResponseStore } from "../src/domain.ts";
import { FundtraceError, UpstreamError } from "../src/errors.ts";
import { redactSecrets, redactUrl } from "../src/redact.ts";
import { type Attempt, DEFAULT_RETRY, type FailureInfo, type RetryPolicy, withRetry } from "./retry.ts";

export type { ResponseStore };

/** Counts what a piece of work asked upstream; several transports may share one. */
export class RequestCounter {
  requests = 0;
  retries = 0;
  cacheHits = 0;
  failures = 0;
}

/** A retry about to happen, for the user to see (the CLI prints `message` on stderr). */
export interface RetryEvent {
  source: string;
  host: string;
  /** 1-based retry number, out of `of`. */
  retry: number;
  of: number;
  delayMs: number;
  failure: FailureInfo;
  /** e.g. "esplora: 429 from mempool.space, retry 2/6 in 1.4 s". */
  message: string;
}

export interface TransportOptions {
  source: string;
  baseUrl: string;
  /** Requests per second to this source. */
  rps?: number;
  concurrency?: number;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Values to scrub from any message, URL or cause (API keys, secret parts of a node URL). */
  secrets?: (string | undefined)[];
  responses?: ResponseStore;
  counter?: RequestCounter;
  headers?: Record<string, string>;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (e: RetryEvent) => void;
}

export interface RequestOptions {
  /** Query parameters that belong in the cache key. */
  query?: Record<string, string | number | undefined>;
  /** Query parameters that must never be stored or logged (API keys). */
  secretQuery?: Record<string, string | undefined>;
  /** A JSON body: the request is a POST (never cached). */
  body?: string;
  /** Upstream requests this one counts for (a JSON-RPC batch of n calls counts n). */
  weight?: number;
  /** Names the request in messages instead of "GET url" (e.g. the JSON-RPC methods). */
  label?: string;
  /** The answer must be JSON: a 2xx with anything else is not this API. */
  json?: boolean;
  /** Keep the 2xx body in the response store; a function decides from the body (e.g. only once confirmed). */
  store?: boolean | ((body: string) => boolean);
  /** Look in the response store first (only for immutable resources). */
  reuse?: boolean;
  /** Statuses that are answers, not failures (e.g. 404 for "not found"). */
  accept?: number[];
  /** Inspect a 2xx body: a failure to retry (a throttling message inside a 200) or a foreign answer. */
  check?: (body: string, contentType: string) => FailureInfo | undefined;
  /** Inspect a refused answer (non-2xx, not accepted): e.g. TronGrid's 403 "frequency limit" is a throttle to retry. */
  refused?: (status: number, body: string) => FailureInfo | undefined;
}

export interface Answer {
  status: number;
  body: string;
  /** The URL as it may be shown or stored (secrets redacted). */
  url: string;
  fromStore: boolean;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An upstream answer that was refused (a status, a foreign page): the cause of the error it leads to. */
export class UpstreamAnswerError extends Error {
  constructor(
    readonly status: number,
    readonly excerpt: string,
  ) {
    super(`HTTP ${status}${excerpt ? `: ${excerpt}` : ""}`);
    this.name = "UpstreamAnswerError";
  }
}

/** A copy of an error (and its causes) carrying only name, code and scrubbed message: no config, URL or headers. */
export class RedactedCause extends Error {
  readonly code: string | number | undefined;
  constructor(e: unknown, scrub: (s: string) => string, depth = 0) {
    const src = e instanceof Error ? e : new Error(String(e));
    const inner =
      src.cause !== undefined && depth < 4 ? new RedactedCause(src.cause, scrub, depth + 1) : undefined;
    super(scrub(src.message), inner ? { cause: inner } : undefined);
    this.name = src.name;
    const code = (src as { code?: unknown }).code;
    this.code = typeof code === "string" || typeof code === "number" ? code : undefined;
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** Describes a failure in a few words (retry lines and error messages). */
export function failureReason(f: FailureInfo): string {
  if (f.foreign !== undefined) return `not its API (${f.foreign})`;
  if (f.throttled) return "rate limit answer";
  if (f.status !== undefined) return String(f.status);
  switch (f.network) {
    case "dns":
      return "DNS lookup failed";
    case "refused":
      return "connection refused";
    case "reset":
      return "connection reset";
    case "truncated":
      return "answer cut short";
    case "timeout":
      return "timeout";
    default:
      return "network error";
  }
}

const codeOf = (e: unknown): string => {
  const c = (e as { code?: unknown; cause?: { code?: unknown } }).code;
  const inner = (e as { cause?: { code?: unknown } }).cause?.code;
  return String(c ?? inner ?? "");
};

/** What a thrown request error means for retrying. */
export function classify(e: unknown): FailureInfo {
  const code = codeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") return { network: "dns" };
  if (code === "ECONNREFUSED") return { network: "refused" };
  if (isAxiosError(e) && e.response && e.response.status >= 200 && e.response.status < 300)
    // A body cut short after a 200 header arrives as an error that still carries the 200 response.
    return { network: "truncated" };
  if (isAxiosError(e) && e.response)
    return {
      status: e.response.status,
      retryAfter: e.response.headers?.["retry-after"] as string | undefined,
    };
  if (code === "ECONNABORTED" || code === "ETIMEDOUT" || /timeout/i.test(message))
    return { network: "timeout" };
  if (code === "ECONNRESET" || code === "EPIPE" || /socket hang up|aborted/i.test(message))
    return { network: "reset" };
  if (code === "ERR_BAD_RESPONSE") return { network: "truncated" };
  return { network: "other" };
}

const titleOf = (body: string) => /<title[^>]*>([^<]{0,80})/i.exec(body)?.[1]?.trim();
const oneLine = (body: string, max: number) => body.replace(/\s+/g, " ").trim().slice(0, max);

/** A few words on what a body is: `text/html page "Just a moment..."`. */
function whatBodyIs(body: string, contentType: string | undefined): string {
  const type = (contentType ?? "").split(";")[0]!.trim() || "no content type";
  const title = titleOf(body);
  if (title !== undefined) return `${type} page "${title}"`;
  const start = oneLine(body, 60);
  return start ? `${type} "${start}"` : `${type}, empty`;
}

/** A refused answer's body in one line: an HTML page by its title, anything else by its start. */
function excerpt(body: string): string {
  const title = titleOf(body);
  return title !== undefined ? `page "${title}"` : oneLine(body, 200);
}

/** "429 from host", "connection refused by host", "DNS lookup failed for host". */
const preposition = (f: FailureInfo) =>
  f.network === "dns" ? "for" : f.network === "refused" || f.network === "reset" ? "by" : "from";

/** A 2xx body that should be JSON: fine, cut short (retry), or something else entirely (final). */
export function jsonFailure(body: string, contentType?: string): FailureInfo | undefined {
  try {
    JSON.parse(body);
    return undefined;
  } catch {
    const t = body.trimStart();
    if (t.startsWith("{") || t.startsWith("[")) return { network: "truncated" };
    return { foreign: whatBodyIs(body, contentType) };
  }
}

/** A 2xx text body that must match `shape` (e.g. a block height): anything else is not this API. */
export function textCheck(shape: RegExp): (body: string, contentType: string) => FailureInfo | undefined {
  return (body, type) => (shape.test(body.trim()) ? undefined : { foreign: whatBodyIs(body, type) });
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return "the source";
  }
};

export class Transport {
  readonly source: string;
  readonly counter: RequestCounter;
  /** The host as shown to users. */
  readonly host: string;
  private readonly base: string;
  private readonly http: AxiosInstance;
  private readonly agents: [http.Agent, https.Agent];
  private readonly queue: PQueue;
  private readonly policy: RetryPolicy;
  private readonly secrets: string[];
  private readonly sleep: (ms: number) => Promise<void>;
  private closed = false;

  constructor(private readonly opts: TransportOptions) {
    this.source = opts.source;
    this.counter = opts.counter ?? new RequestCounter();
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === "string" && s.length > 0);
    this.sleep = opts.sleep ?? sleepReal;
    this.base = opts.baseUrl.replace(/\/+$/, "");
    this.host = this.scrub(hostOf(this.base));
    const rps = opts.rps ?? 10;
    const concurrency = opts.concurrency ?? 4;
    this.queue = new PQueue({ concurrency, intervalCap: 1, interval: Math.max(1, Math.floor(1000 / rps)) });
    // Own agents (keep-alive like Node's global one), so close() frees this source's sockets.
    const agent = { keepAlive: true, timeout: 5000, scheduling: "lifo" as const };
    this.agents = [new http.Agent(agent), new https.Agent(agent)];
    this.http = axios.create({
      baseURL: this.base,
      timeout: opts.timeoutMs ?? 20_000,
      responseType: "text",
      transformResponse: [(d) => d],
      validateStatus: () => true,
      headers: { "user-agent": "fundtrace", ...opts.headers },
      maxRedirects: 3,
      httpAgent: this.agents[0],
      httpsAgent: this.agents[1],
    });
  }

  /** Removes every secret (and the raw base URL when it holds one) from a text. */
  scrub(s: string): string {
    const pub = redactSecrets(redactUrl(this.base), this.secrets).replace(/\/$/, "");
    const out = pub === this.base ? s : s.split(this.base).join(pub);
    return redactSecrets(out, this.secrets);
  }

  /** The URL as it may be shown or stored: base + path + non-secret query, secrets redacted. */
  publicUrl(path: string, query?: RequestOptions["query"]): string {
    const u = new URL(this.base + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return this.scrub(redactUrl(u.toString()));
  }

  /** A GET (or a POST with `body`) through the queue and the retry rules; throws UpstreamError when it gives up. */
  async request(path: string, o: RequestOptions = {}): Promise<Answer> {
    if (this.closed) throw new FundtraceError("INTERNAL", `${this.source}: the source was closed`);
    const method = o.body === undefined ? "GET" : "POST";
    const url = this.publicUrl(path, o.query);
    const qs = new URLSearchParams(
      Object.entries(o.query ?? {})
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    ).toString();
    const key = qs ? `${path}?${qs}` : path;
    const responses = this.opts.responses;
    if (method === "GET" && o.reuse && responses) {
      const hit = await responses.get(this.source, key);
      if (hit) {
        this.counter.cacheHits++;
        return { status: hit.status, body: hit.body, url: hit.url, fromStore: true };
      }
    }
    const r = await withRetry((): Promise<Attempt<Answer>> => this.attempt(method, path, url, o), {
      policy: this.policy,
      sleep: this.sleep,
      onRetry: (x) => {
        this.counter.retries++;
        this.opts.onRetry?.({
          source: this.source,
          host: this.host,
          ...x,
          message: `${this.source}: ${failureReason(x.failure)} ${preposition(x.failure)} ${this.host}, retry ${x.retry}/${x.of} in ${(x.delayMs / 1000).toFixed(1)} s`,
        });
      },
    });
    if (!r.ok) {
      this.counter.failures++;
      throw this.giveUp(`${method} ${url}`, o.label, url, r.failure, r.attempts, r.cause);
    }
    const a = r.value;
    const sha256 = createHash("sha256").update(a.body).digest("hex");
    await responses?.log?.({
      source: this.source,
      url,
      request: o.body ?? "",
      status: a.status,
      sha256,
      body: a.body,
    });
    const keep = typeof o.store === "function" ? o.store(a.body) : o.store;
    if (keep && method === "GET" && responses && a.status >= 200 && a.status < 300)
      await responses.put({ source: this.source, key, url, status: a.status, sha256, body: a.body });
    return a;
  }

  /** GET and parse JSON (`data` is undefined for an accepted non-2xx status such as 404). */
  async getJson<T>(path: string, o: RequestOptions = {}): Promise<Answer & { data: T | undefined }> {
    const r = await this.request(path, { ...o, json: true });
    const ok = r.status >= 200 && r.status < 300;
    return { ...r, data: ok ? (JSON.parse(r.body) as T) : undefined };
  }

  /** Stops this source: queued requests are dropped, later ones refused, sockets closed. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    for (const a of this.agents) a.destroy();
  }

  private async attempt(method: "GET" | "POST", path: string, url: string, o: RequestOptions) {
    let res: AxiosResponse<string>;
    try {
      res = (await this.queue.add(() => {
        this.counter.requests += o.weight ?? 1;
        return this.http.request<string>({
          method,
          url: path,
          params: { ...o.query, ...o.secretQuery },
          data: o.body,
          headers: o.body === undefined ? undefined : { "content-type": "application/json" },
        });
      })) as AxiosResponse<string>;
    } catch (e) {
      return { ok: false as const, failure: classify(e), cause: e };
    }
    const status = res.status;
    const body = typeof res.data === "string" ? res.data : String(res.data ?? "");
    const declared = Number(res.headers["content-length"]);
    let failure: FailureInfo | undefined;
    if (Number.isFinite(declared) && declared > 0 && Buffer.byteLength(body) < declared)
      failure = { network: "truncated" };
    else if (status >= 200 && status < 300) {
      const type = String(res.headers["content-type"] ?? "");
      failure = (o.json ? jsonFailure(body, type) : undefined) ?? o.check?.(body, type);
    } else if (!(o.accept ?? []).includes(status))
      failure = o.refused?.(status, body) ?? {
        status,
        retryAfter: res.headers["retry-after"] as string | undefined,
      };
    if (failure)
      return { ok: false as const, failure, cause: new UpstreamAnswerError(status, excerpt(body)) };
    return { ok: true as const, value: { status, body, url, fromStore: false } };
  }

  private giveUp(
    request: string,
    label: string | undefined,
    url: string,
    f: FailureInfo,
    attempts: number,
    cause: unknown,
  ): UpstreamError {
    const what = label ?? request;
    const offline = "use --offline to work on what is stored";
    let message: string;
    if (f.network === "dns") message = `cannot reach ${this.host}: DNS lookup failed; ${offline}`;
    else if (f.network === "refused") message = `cannot reach ${this.host}: connection refused; ${offline}`;
    else if (f.foreign !== undefined)
      message = `${what}: the source answered something that is not its API (${f.foreign}); check the URL`;
    else {
      const excerpt = cause instanceof UpstreamAnswerError && cause.excerpt ? `: ${cause.excerpt}` : "";
      const reason =
        f.status !== undefined ? `HTTP ${f.status}${excerpt}` : f.throttled ? "throttled" : f.network;
      message = `${what} failed after ${attempts} attempt(s): ${reason}`;
    }
    return new UpstreamError(this.source, this.scrub(message), {
      status: f.status,
      timeout: f.network === "timeout",
      cause: new RedactedCause(cause, (s) => this.scrub(s)),
      details: { url, attempts, failure: f.foreign !== undefined ? "foreign" : (f.network ?? "status") },
    });
  }
}
