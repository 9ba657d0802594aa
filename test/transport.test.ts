/**
 * The shared transport as users meet it: a web page where the API should be, a refused port, a host
 * that does not resolve, retries shown as they happen, causes without keys. Real sockets on 127.0.0.1;
 * the unresolvable host uses the reserved `.invalid` TLD (never resolves, needs no network).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEsploraSource } from "../adapters/esplora/index.ts";
import { createEtherscanSource } from "../adapters/etherscan/index.ts";
import { createEvmRpcSource } from "../adapters/evm-rpc/index.ts";
import type { ChainSource } from "../adapters/source.ts";
import { RedactedCause, type RetryEvent, Transport } from "../adapters/transport.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

const KEY = "Hq4-transport-test-key-0c9e71";
const FAST = { maxRetries: 6, baseDelayMs: 1, maxDelayMs: 4 };
const PAGE = `<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>It works</body></html>`;

type Reply = { status?: number; type?: string; body: string; headers?: Record<string, string> };

/** A server answering each request with the next scripted reply (the last one repeats). */
async function scripted(replies: Reply[]) {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? "");
    const r = replies[Math.min(paths.length - 1, replies.length - 1)]!;
    res.writeHead(r.status ?? 200, { "content-type": r.type ?? "text/html; charset=utf-8", ...r.headers });
    res.end(r.body);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    paths,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", () => ok()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

/** The error a call rejects with (fails the test when it resolves). */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as Error & { cause: RedactedCause },
  );

let html: Awaited<ReturnType<typeof scripted>>;
beforeAll(async () => {
  html = await scripted([{ body: PAGE }]);
});
afterAll(async () => html?.close());

describe("a web page where the API should be", () => {
  const sources = (url: string): [string, ChainSource, () => Promise<unknown>][] => {
    const esplora = createEsploraSource({ baseUrl: url, retry: FAST });
    const etherscan = createEtherscanSource({ baseUrl: url, apiKey: KEY, retry: FAST });
    const rpc = createEvmRpcSource({ url, retry: FAST });
    return [
      ["esplora tip (text)", esplora, () => esplora.tip()],
      [
        "esplora history (JSON)",
        esplora,
        () => esplora.addressHistory("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", null),
      ],
      ["etherscan", etherscan, () => etherscan.tip()],
      ["JSON-RPC", rpc, () => rpc.tip()],
    ];
  };

  it("is named at once, after one request, for every source", async () => {
    const all = sources(html.url);
    for (const [name, src, run] of all) {
      const before = html.paths.length;
      const e = await failure(run());
      expect(e.message, name).toContain("the source answered something that is not its API");
      expect(e.message, name).toContain('text/html page "Welcome to nginx!"');
      expect(e, name).toMatchObject({ code: "UPSTREAM_FAILED", details: { failure: "foreign" } });
      expect(html.paths.length - before, name).toBe(1);
      expect(src.counter.retries, name).toBe(0);
      expect(e.cause, name).toBeInstanceOf(RedactedCause);
      expect(String(e.cause.message), name).toContain("Welcome to nginx!");
      expect(inspect(e, { depth: 10 }), name).not.toContain(KEY);
    }
    for (const src of new Set(all.map(([, src]) => src))) await src.close();
  });

  it("keeps retrying JSON cut short (without a declared length), and plain JSON is fine", async () => {
    const srv = await scripted([
      { type: "application/json", body: '[{"txid":"ab' },
      { type: "application/json", body: "[1,2,3]" },
    ]);
    try {
      const t = new Transport({ source: "test", baseUrl: srv.url, retry: FAST });
      expect((await t.getJson<number[]>("/x")).data).toEqual([1, 2, 3]);
      expect(t.counter).toMatchObject({ requests: 2, retries: 1, failures: 0 });
      await t.close();
    } finally {
      await srv.close();
    }
  });
});

describe("a source that cannot be reached", () => {
  it("names a refused connection after one retry", async () => {
    const port = await closedPort();
    const events: RetryEvent[] = [];
    const src = createEsploraSource({
      baseUrl: `http://127.0.0.1:${port}`,
      retry: FAST,
      onRetry: (e) => events.push(e),
    });
    const e = await failure(src.tip());
    expect(e.message).toBe(
      `esplora: cannot reach 127.0.0.1:${port}: connection refused; use --offline to work on what is stored`,
    );
    expect(src.counter).toMatchObject({ requests: 2, retries: 1, failures: 1 });
    expect(events.map((x) => x.message)).toEqual([
      expect.stringMatching(
        new RegExp(`^esplora: connection refused by 127\\.0\\.0\\.1:${port}, retry 1/1 in 0\\.0 s$`),
      ),
    ]);
    expect(e.cause.code).toBe("ECONNREFUSED");
  });

  it("names a failed DNS lookup after one retry", async () => {
    const src = createEtherscanSource({
      baseUrl: "http://fundtrace-test.invalid/api",
      apiKey: KEY,
      retry: FAST,
    });
    const e = await failure(src.tip());
    expect(e.message).toBe(
      "etherscan: cannot reach fundtrace-test.invalid: DNS lookup failed; use --offline to work on what is stored",
    );
    expect(src.counter).toMatchObject({ requests: 2, retries: 1 });
    expect(["ENOTFOUND", "EAI_AGAIN"]).toContain(e.cause.code);
    expect(inspect(e, { depth: 10 })).not.toContain(KEY);
  });

  it("refuses to work after close(), without asking upstream", async () => {
    const src = createEsploraSource({ baseUrl: html.url, retry: FAST });
    await src.close();
    await src.close();
    const before = html.paths.length;
    await expect(src.tip()).rejects.toThrow(/closed/);
    expect(html.paths.length).toBe(before);
  });
});

describe("retries as they happen", () => {
  it("reports each retry with status, host, count and delay, and honours Retry-After", async () => {
    const srv = await scripted([
      { status: 429, type: "text/plain", body: "Too Many Requests", headers: { "retry-after": "0" } },
      { status: 503, type: "text/plain", body: "Service Unavailable" },
      { type: "text/plain", body: "812345" },
    ]);
    try {
      const events: RetryEvent[] = [];
      const waits: number[] = [];
      const t = new Transport({
        source: "esplora",
        baseUrl: srv.url,
        retry: { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 1000 },
        sleep: async (ms) => {
          waits.push(ms);
        },
        onRetry: (e) => events.push(e),
      });
      expect((await t.request("/blocks/tip/height")).body).toBe("812345");
      expect(waits[0]).toBe(0);
      expect(waits[1]).toBeGreaterThanOrEqual(500);
      expect(waits[1]).toBeLessThanOrEqual(1000);
      expect(events.map((e) => e.message)).toEqual([
        `esplora: 429 from ${srv.host}, retry 1/6 in 0.0 s`,
        `esplora: 503 from ${srv.host}, retry 2/6 in ${(waits[1]! / 1000).toFixed(1)} s`,
      ]);
    } finally {
      await srv.close();
    }
  });
});

describe("the CLI", () => {
  const dir = tempDir();
  const addr = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";

  it("prints the reason, the retries on stderr, and keeps them out of --json", async () => {
    const port = await closedPort();
    const args = (db: string) => [
      "--db",
      join(dir, db),
      "--no-default-labels",
      "--esplora-url",
      `http://127.0.0.1:${port}`,
    ];
    const text = await runCli([...args("a.duckdb"), "ingest", "bitcoin", addr]);
    expect(text.code).toBe(1);
    const lines = text.stderr.trim().split("\n");
    expect(
      lines.some((l) =>
        new RegExp(`^esplora: connection refused by 127\\.0\\.0\\.1:${port}, retry 1/1 in [0-9.]+ s$`).test(
          l,
        ),
      ),
    ).toBe(true);
    expect(lines).toContain(
      `fundtrace: esplora: cannot reach 127.0.0.1:${port}: connection refused; use --offline to work on what is stored`,
    );
    const json = await runCli([...args("b.duckdb"), "--json", "ingest", "bitcoin", addr]);
    expect(json.code).toBe(1);
    expect(json.stderr).not.toContain("retry 1/1");
    expect(JSON.parse(json.stderr).error.message).toContain("connection refused");
  });

  it("says the source is not its API instead of retrying a web page", async () => {
    const before = html.paths.length;
    const r = await runCli([
      "--db",
      join(dir, "c.duckdb"),
      "--no-default-labels",
      "--esplora-url",
      html.url,
      "ingest",
      "bitcoin",
      addr,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the source answered something that is not its API");
    expect(r.stderr).not.toContain("retry");
    expect(html.paths.length - before).toBe(1);
  });
});
