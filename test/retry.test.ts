import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, shouldRetry } from "../adapters/retry.ts";
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
