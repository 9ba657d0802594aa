// The request log: every write, refusal and failure at info level; a read answered well and fast at
// debug level only (a busy server answers thousands per second).
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import type { Services } from "../src/services/index.ts";
import { KNOWN, testServices } from "./helpers/services.ts";

let s: Services;
beforeAll(async () => {
  s = await testServices("request-log");
});
afterAll(() => s?.close());

/** The app with a logger at `level`, and the request lines it wrote. */
function logged(level: string) {
  const lines: { level: number; method: string; path: string; status: number }[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      const l = JSON.parse(String(chunk));
      if (l.msg === "request") lines.push(l);
      done();
    },
  });
  const app = createApp(s, { apiKeys: ["log-key-0123456789:viewer"], log: pino({ level }, out) });
  return { app, lines };
}

const KEY = { authorization: "Bearer log-key-0123456789" };

describe("request log", () => {
  it("at info: the refusal and the write, not the routine read", async () => {
    const { app, lines } = logged("info");
    expect((await app.request(`/v1/addresses/bitcoin/${KNOWN.unlabelledBtc}`, { headers: KEY })).status).toBe(
      200,
    );
    expect((await app.request(`/v1/addresses/bitcoin/${KNOWN.unlabelledBtc}`)).status).toBe(401);
    const screen = await app.request("/v1/screen", {
      method: "POST",
      headers: { ...KEY, "content-type": "application/json" },
      body: JSON.stringify({ items: [{ chain: "bitcoin", address: KNOWN.unlabelledBtc }] }),
    });
    expect(screen.status).toBe(200);
    expect(lines.map((l) => [l.method, l.status, l.level])).toEqual([
      ["GET", 401, 30],
      ["POST", 200, 30],
    ]);
  });

  it("at debug: every request", async () => {
    const { app, lines } = logged("debug");
    expect((await app.request(`/v1/addresses/bitcoin/${KNOWN.unlabelledBtc}`, { headers: KEY })).status).toBe(
      200,
    );
    expect(lines.map((l) => [l.method, l.path, l.status, l.level])).toEqual([
      ["GET", `/v1/addresses/bitcoin/${KNOWN.unlabelledBtc}`, 200, 20],
    ]);
  });
});
