import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BadInputError } from "../src/errors.ts";
import { parseNbctfCsv } from "../src/labels/nbctf.ts";
import { bundled } from "./helpers/fixtures.ts";

const NBCTF = bundled("nbctf/il_nbctf_seizure_orders_wallets.csv");
const text = readFileSync(NBCTF, "utf8");
const ds = parseNbctfCsv(text, { sourceFile: "il_nbctf_seizure_orders_wallets.csv" });

const at = (chain: string, address: string) =>
  ds.labels.filter((l) => l.chain === chain && l.address === address);

describe("parseNbctfCsv on the real seizure-order table", () => {
  it("keeps 483 of 500 rows, counted per chain", () => {
    const perChain: Record<string, number> = {};
    for (const l of ds.labels) perChain[l.chain] = (perChain[l.chain] ?? 0) + 1;
    expect(perChain).toEqual({
      tron: 404,
      bitcoin: 51,
      ethereum: 15,
      dogecoin: 7,
      litecoin: 4,
      zcash: 1,
      verge: 1,
    });
    expect(ds.labels).toHaveLength(483);
    expect(ds.skipped).toHaveLength(17);
    expect(ds.dataset).toBe("nbctf");
    expect(ds.format).toBe("nbctf");
  });

  it("labels a known Tron wallet from order ASO 18/26", () => {
    expect(at("tron", "TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnJ")).toEqual([
      {
        chain: "tron",
        address: "TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnJ",
        currency: "TRX",
        label: "Israel NBCTF seizure order ASO 18/26",
        category: "terrorism_financing",
        source: "NBCTF ASO 18/26",
        confidence: 60,
        program: null,
        reference: "ASO 18/26",
        clusterDefining: false,
      },
    ]);
  });

  it("uses the de-homoglyphed address column", () => {
    // published with Cyrillic Н and с; the same wallet is on OFAC's SDGT list (Gaza Now)
    expect(at("tron", "TH96tFMn8KGiYSLiwcV3E2UiaJc8jmcbz3").map((l) => l.reference)).toContain("ASO 2/24");
  });

  it("keeps one label per order when a wallet is in two orders", () => {
    const both = at("tron", "TMmEYcSL4KhzJuYpRH16aLsG16YoFyYKUq");
    expect(both).toHaveLength(2);
    expect(new Set(both.map((l) => l.reference)).size).toBe(2);
    expect(new Set(ds.labels.map((l) => `${l.chain}|${l.address}`)).size).toBe(481);
  });

  it("normalises EVM addresses and keeps the published currency", () => {
    const evm = ds.labels.filter((l) => l.chain === "ethereum");
    for (const l of evm) expect(l.address).toBe(l.address.toLowerCase());
    expect(at("ethereum", "0x21b8d56bda776bbe68655a16895afd96f5534fed")).toHaveLength(1);
    expect(at("dogecoin", "D5hkVKXQvJnw9nEvd36eRipxJgu1ts8ydx")[0]?.currency).toBe("DOGE");
  });

  it("gives every label the terrorism_financing category and an order source", () => {
    for (const l of ds.labels) {
      expect(l.category).toBe("terrorism_financing");
      expect(l.source).toBe(`NBCTF ${l.reference}`);
      expect(l.label).toBe(`Israel NBCTF seizure order ${l.reference}`);
      expect(l.reference).toMatch(/^ASO \d+\/\d+$/);
      expect(l.confidence).toBe(60);
    }
  });

  it("skips unsupported chains, memo-tagged exchange addresses and bad checksums with reasons", () => {
    for (const s of ds.skipped) {
      expect(s.address).not.toBe("");
      expect(s.reason).toMatch(/^line \d+ \(ASO [\d/]+\): \S/);
    }
    const count = (re: RegExp) => ds.skipped.filter((s) => re.test(s.reason)).length;
    expect(count(/memo\/tag/)).toBe(4);
    expect(count(/chain not supported/)).toBe(11);
    expect(count(/invalid bitcoin address: bad base58check checksum/)).toBe(2);
    // XRP is a known chain but that row is Binance's shared deposit address plus a memo
    expect(ds.skipped.find((s) => s.address === "rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh")?.reason).toMatch(
      /memo/,
    );
    expect(ds.skipped.find((s) => s.address === "D7pCdGvzKPEtnuYnFVWtW4pTGTjD9v2Tuo")?.reason).toMatch(/DGB/);
  });
});

describe("parseNbctfCsv on small inputs", () => {
  const head =
    "order_id,address,address_format,currency_as_published,memo_tag,address_as_published,order_last_updated,order_valid_until,forfeiture_order,checksum_ok\n";

  it("needs the order_id, address and address_format columns", () => {
    expect(() => parseNbctfCsv("order,wallet\nASO 1/24,T\n")).toThrow(BadInputError);
  });

  it("returns an empty dataset for a header-only file", () => {
    expect(parseNbctfCsv(head)).toMatchObject({ dataset: "nbctf", labels: [], skipped: [] });
  });

  it("tells the shared D... format apart by currency and skips it without one", () => {
    const ds2 = parseNbctfCsv(
      `${head}ASO 1/24,D5hkVKXQvJnw9nEvd36eRipxJgu1ts8ydx,dogecoin_or_dgb_xvg,,,,,,,\n` +
        "ASO 1/24,TWB9xgNG9nmJuwW4etsQEb9RRnrnVnoNnX,tron,,,,,,,\n",
    );
    expect(ds2.labels).toEqual([]);
    expect(ds2.skipped[0]?.reason).toMatch(/without a currency/);
    expect(ds2.skipped[1]?.reason).toMatch(/invalid tron address/);
  });
});
