import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import type { Services } from "../src/services/index.ts";
import { parseTraceInput, withTraceDefaults } from "../src/services/trace-input.ts";
import { runCli } from "./helpers/cli.ts";
import { KNOWN, testServices } from "./helpers/services.ts";
import { tempDir } from "./helpers/tmp.ts";

const V = KNOWN.unlabelledBtc;
const BAD = `${V.slice(0, -1)}b`;
const base = ["--db", join(tempDir(), "input.duckdb"), "--no-default-labels", "--offline", "--json"];

let s: Services;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  s = await testServices("trace-input");
  app = createApp(s);
});
afterAll(() => s.close());

/** The same bad request as `fundtrace trace` flags and as a POST /v1/trace body, and what both must say. */
const CASES: { cli: string[]; api: Record<string, unknown>; code: string; message: string }[] = [
  {
    cli: ["bitcoin", V, "--hops", "13"],
    api: { chain: "bitcoin", address: V, maxHops: 13 },
    code: "LIMIT_EXCEEDED",
    message: "hop limit too high: 13 (max 12)",
  },
  {
    cli: ["bitcoin", V, "--hops", "0"],
    api: { chain: "bitcoin", address: V, maxHops: 0 },
    code: "BAD_INPUT",
    message: "hop limit must be a whole number from 1 to 12, got 0",
  },
  {
    cli: ["bitcoin", V, "--min-value", "1e6"],
    api: { chain: "bitcoin", address: V, minValue: "1e6" },
    code: "BAD_INPUT",
    message: 'minimum value must be a whole number of base units, got "1e6"',
  },
  {
    cli: ["bitcoin", V, "--max-addresses", "0"],
    api: { chain: "bitcoin", address: V, maxAddresses: 0 },
    code: "BAD_INPUT",
    message: "address budget must be 1..10000000, got 0",
  },
  {
    cli: ["dogechain", V],
    api: { chain: "dogechain", address: V },
    code: "UNKNOWN_CHAIN",
    message: 'unknown chain "dogechain"',
  },
  {
    cli: ["bitcoin", BAD],
    api: { chain: "bitcoin", addresses: [BAD] },
    code: "INVALID_ADDRESS",
    message: `invalid bitcoin address "${BAD}": bad base58check checksum`,
  },
  {
    cli: ["bitcoin", V, "--to", `exchange,${BAD}`],
    api: { chain: "bitcoin", address: V, targets: { categories: ["exchange"], addresses: [BAD] } },
    code: "INVALID_ADDRESS",
    message: `invalid bitcoin address "${BAD}"`,
  },
];

describe("one trace input schema for the CLI and the API", () => {
  it("gives the same code and message for the same bad input, exit 2 and HTTP 400", async () => {
    for (const c of CASES) {
      const cli = await runCli([...base, "trace", ...c.cli]);
      expect(cli.code, c.cli.join(" ")).toBe(2);
      expect(cli.stdout).toBe("");
      const fromCli = JSON.parse(cli.stderr).error;
      const res = await app.request("/v1/trace", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(c.api),
      });
      expect(res.status).toBe(400);
      const fromApi = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(fromApi).toEqual(fromCli);
      expect(fromApi.code).toBe(c.code);
      expect(fromApi.message).toContain(c.message);
    }
  });

  it("checks saved-query parameters with the same schema: query save and POST /v1/queries", async () => {
    const cli = await runCli([...base, "query", "save", "deep", "--", "bitcoin", V, "--hops", "40"]);
    expect(cli.code).toBe(2);
    const res = await app.request("/v1/queries", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "deep", params: { chain: "bitcoin", addresses: [V], maxHops: 40 } }),
    });
    expect(res.status).toBe(400);
    const fromApi = ((await res.json()) as { error: unknown }).error;
    expect(fromApi).toEqual(JSON.parse(cli.stderr).error);
    expect(fromApi).toEqual({ code: "LIMIT_EXCEEDED", message: "hop limit too high: 40 (max 12)" });
    expect((await s.queries.list()).map((q) => q.name)).toEqual([]);
  });

  it("keeps the request as given, with address joined to addresses; the API names a malformed field", () => {
    const evm = "0x21B8d56BDA776bbE68655A16895afd96F5534feD";
    expect(parseTraceInput({ chain: "ethereum", address: evm, addresses: [evm.toLowerCase()] })).toEqual({
      chain: "ethereum",
      address: evm,
      addresses: [evm, evm.toLowerCase()],
    });
    expect(withTraceDefaults(parseTraceInput({ chain: "bitcoin", address: V }))).toMatchObject({
      direction: "forward",
      maxHops: 5,
      model: "haircut",
      addresses: [V],
    });
    expect(() => parseTraceInput({ chain: "bitcoin", address: V, maxHops: "3" })).toThrow(
      /^maxHops: Invalid input: expected number, received string$/,
    );
    expect(() => parseTraceInput({ chain: "bitcoin" })).toThrow(/^give an address to trace$/);
  });
});
