import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { normalizeAddress, tronFromHex, tronHex } from "../src/chains.ts";
import { loadConfig } from "../src/config.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/tmp.ts";

// USDT-TRC20's contract in its three spellings (verified against real TronGrid answers)
const USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const USDT_41 = "41a614f803b6fd780986a42c78ec9c7f77e6ded13c";
const USDT_0X = "0xa614f803b6fd780986a42c78ec9c7f77e6ded13c";
// Israel NBCTF seizure order ASO 18/26
const NBCTF = "TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnJ";

describe("Tron addresses", () => {
  it("keeps base58 exactly and turns the hex forms 41… and 0x… into base58", () => {
    expect(normalizeAddress("tron", USDT)).toBe(USDT);
    expect(normalizeAddress("tron", USDT_41)).toBe(USDT);
    expect(normalizeAddress("tron", USDT_41.toUpperCase())).toBe(USDT);
    expect(normalizeAddress("tron", USDT_0X)).toBe(USDT);
    expect(normalizeAddress("trx", ` ${NBCTF} `)).toBe(NBCTF);
    expect(tronHex(USDT)).toBe(USDT_41);
    expect(tronFromHex(USDT_0X)).toBe(USDT);
    // a log topic's last 20 bytes
    expect(tronFromHex(USDT_0X.slice(2))).toBe(USDT);
  });

  it("is case-sensitive: a lower-cased or upper-cased address is another string and fails its checksum", () => {
    expect(() => normalizeAddress("tron", USDT.toLowerCase())).toThrowError(/checksum|not a base58check/);
    expect(() => normalizeAddress("tron", USDT.toUpperCase())).toThrowError(/checksum|not a base58check/);
  });

  it("names what is wrong: checksum, prefix, length", () => {
    const bad = `${NBCTF.slice(0, -1)}K`;
    expect(() => normalizeAddress("tron", bad)).toThrowError(new RegExp(`${bad}.*checksum`));
    // a valid base58check address of another chain (Bitcoin, version 0x00)
    expect(() => normalizeAddress("tron", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")).toThrowError(/0x41/);
    expect(() => normalizeAddress("tron", `42${USDT_41.slice(2)}`)).toThrowError(/prefix 41/);
    expect(() => normalizeAddress("tron", "0x1234")).toThrowError(/40 hex digits/);
    expect(() => normalizeAddress("tron", "T-not-an-address")).toThrowError(/not a base58check/);
  });
});

describe("invalid Tron addresses at the edges", () => {
  const dir = tempDir();
  let s: Services;
  beforeAll(async () => {
    s = await createServices(loadConfig({ db: join(dir, "t.duckdb"), defaultLabels: false }, {}));
  });
  afterAll(() => s?.close());

  const wrong = [`${NBCTF.slice(0, -1)}K`, "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE".replace("T", "A")];

  it("the CLI exits 2 naming the address, for every command that takes one", async () => {
    for (const a of wrong) {
      for (const args of [
        ["ingest", "tron", a],
        ["address", "tron", a],
        ["trace", "tron", a],
        ["exposure", "tron", a],
      ]) {
        const r = await runCli(["--db", join(dir, "cli.duckdb"), "--no-default-labels", ...args]);
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr).toContain(a);
      }
    }
  });

  it("the API answers 400 naming the address", async () => {
    const app = createApp(s);
    for (const a of wrong) {
      const r = await app.request(`/v1/addresses/tron/${a}`);
      expect(r.status).toBe(400);
      expect(JSON.stringify(await r.json())).toContain(a);
      const t = await app.request("/v1/trace", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ chain: "tron", addresses: [a] }),
      });
      expect(t.status).toBe(400);
      expect(JSON.stringify(await t.json())).toContain(a);
    }
  });
});
