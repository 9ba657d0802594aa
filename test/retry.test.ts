import { describe, expect, it } from "vitest";
import {
  type Attempt,
  backoffDelay,
  DEFAULT_RETRY,
  type FailureInfo,
  parseRetryAfter,
  retryLimit,
  shouldRetry,
  withRetry,
} from "../adapters/retry.ts";
import { redactSecrets, redactUrl } from "../src/redact.ts";

describe("retry rules", () => {
  it("retries throttling, server errors and network failures, not client errors", () => {
    expect(shouldRetry({ status: 429 })).toBe(true);
    expect(shouldRetry({ status: 503 })).toBe(true);
    expect(shouldRetry({ status: 500 })).toBe(true);
    expect(shouldRetry({ network: "timeout" })).toBe(true);
    expect(shouldRetry({ network: "truncated" })).toBe(true);
    expect(shouldRetry({ throttled: true, status: 200 })).toBe(true);
    expect(shouldRetry({ status: 400 })).toBe(false);
    expect(shouldRetry({ status: 404 })).toBe(false);
    expect(shouldRetry({ status: 501 })).toBe(false);
  });

  it("honours Retry-After in seconds and as an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(backoffDelay(0, { status: 429, retryAfter: "2" }, DEFAULT_RETRY)).toBe(2000);
  });

  it("backs off exponentially with jitter, capped", () => {
    const p = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, { status: 503 }, p, () => 0)).toBe(50);
    expect(backoffDelay(0, { status: 503 }, p, () => 1)).toBe(100);
    expect(backoffDelay(3, { status: 503 }, p, () => 1)).toBe(800);
    expect(backoffDelay(10, { status: 503 }, p, () => 1)).toBe(1000);
  });
});

describe("retry limits by kind", () => {
  it("never retries an answer that is not the API, and retries an unreachable host once", () => {
    expect(shouldRetry({ foreign: 'text/html page "Login"' })).toBe(false);
    expect(retryLimit({ foreign: "text/html" }, DEFAULT_RETRY)).toBe(0);
    expect(retryLimit({ network: "dns" }, DEFAULT_RETRY)).toBe(1);
    expect(retryLimit({ network: "refused" }, DEFAULT_RETRY)).toBe(1);
    expect(retryLimit({ network: "refused" }, { ...DEFAULT_RETRY, maxRetries: 0 })).toBe(0);
    expect(retryLimit({ status: 429 }, DEFAULT_RETRY)).toBe(6);
    expect(retryLimit({ status: 404 }, DEFAULT_RETRY)).toBe(0);
  });
});

describe("withRetry", () => {
  const run = async (outcomes: (FailureInfo | "ok")[], maxRetries = 6) => {
    const waits: number[] = [];
    const seen: string[] = [];
    let n = 0;
    const r = await withRetry(
      async (): Promise<Attempt<string>> => {
        const o = outcomes[n++]!;
        return o === "ok" ? { ok: true, value: "done" } : { ok: false, failure: o, cause: new Error("x") };
      },
      {
        policy: { maxRetries, baseDelayMs: 100, maxDelayMs: 1000 },
        sleep: async (ms) => {
          waits.push(ms);
        },
        random: () => 1,
        onRetry: (e) => seen.push(`${e.retry}/${e.of} ${e.delayMs}`),
      },
    );
    return { r, waits, seen, calls: n };
  };

  it("retries with backoff and Retry-After until it succeeds, reporting each retry", async () => {
    const { r, waits, seen, calls } = await run([{ status: 503 }, { status: 429, retryAfter: "2" }, "ok"]);
    expect(r).toMatchObject({ ok: true, value: "done", attempts: 3 });
    expect(waits).toEqual([100, 2000]);
    expect(seen).toEqual(["1/6 100", "2/6 2000"]);
    expect(calls).toBe(3);
  });

  it("gives up with the last failure: at once when final, after its limit otherwise", async () => {
    const foreign = await run([{ foreign: "text/html" }, "ok"]);
    expect(foreign.r).toMatchObject({ ok: false, attempts: 1, failure: { foreign: "text/html" } });
    expect(foreign.waits).toEqual([]);
    const refused = await run([{ network: "refused" }, { network: "refused" }, "ok"]);
    expect(refused.r).toMatchObject({ ok: false, attempts: 2 });
    const busy = await run([{ status: 503 }, { status: 503 }, { status: 503 }], 2);
    expect(busy.r).toMatchObject({ ok: false, attempts: 3, failure: { status: 503 } });
    expect(busy.seen).toEqual(["1/2 100", "2/2 200"]);
  });
});

describe("secret redaction", () => {
  it("strips keys from URLs and messages", () => {
    expect(redactUrl("https://api.etherscan.io/v2/api?chainid=1&apikey=ABCD1234&module=account")).toBe(
      "https://api.etherscan.io/v2/api?chainid=1&apikey=REDACTED&module=account",
    );
    expect(redactUrl("https://user:pw@node.example/rpc")).toBe("https://REDACTED@node.example/rpc");
    expect(redactSecrets("failed: key ABCD1234 rejected", ["ABCD1234"])).toBe(
      "failed: key REDACTED rejected",
    );
  });
});
