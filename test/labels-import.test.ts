import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeAddress } from "../src/chains.ts";
import { parseOfacCsv } from "../src/labels/ofac.ts";
import { importDefaultLabels, type Services } from "../src/services/index.ts";
import type { ScreenResult } from "../src/services/screen.ts";
import { fixture } from "./helpers/fixtures.ts";
import { NBCTF_CSV, OFAC_XML, testServices } from "./helpers/services.ts";

const REF_CSV = fixture("labels/ofac/ofac_sdn_digital_currency_addresses.csv");
const HISTORY_CSV = fixture("labels/ofac/ofac_sdn_digital_currency_addresses_history.csv");

// s holds the OFAC list (a test adds NBCTF to it); both holds OFAC and NBCTF
let s: Services;
let both: Services;
let first: Awaited<ReturnType<Services["labels"]["importFile"]>>;
// one hook per database: each OFAC import gets the whole hook timeout on a busy machine
beforeAll(async () => {
  s = await testServices("labels-import");
  first = await s.labels.importFile(OFAC_XML);
});
beforeAll(async () => {
  both = await testServices("labels-both");
  await both.labels.importFile(OFAC_XML);
  await both.labels.importFile(NBCTF_CSV);
});
afterAll(() => {
  s?.close();
  both?.close();
});

const ofacRows = async () =>
  (await s.labels.all({ dataset: "ofac-sdn" })).map((l) => ({
    currency: l.currency,
    address: l.address,
    program: l.program,
  }));

describe("label imports into the store", () => {
  it("stores exactly the address/currency/program rows of the real OFAC list (758)", async () => {
    const r = first;
    expect(r).toMatchObject({ dataset: "ofac-sdn", format: "ofac-sdn", skipped: 0, unchanged: false });
    const ref = parse(readFileSync(REF_CSV, "utf8"), { columns: true }) as Record<string, string>[];
    const norm = (_cur: string, a: string) =>
      /^0x/i.test(a) ? a.toLowerCase() : a.startsWith("bc1") ? a.toLowerCase() : a;
    const want = new Set(ref.map((x) => `${x.currency}|${norm(x.currency!, x.address!)}|${x.programs}`));
    const got = new Set((await ofacRows()).map((x) => `${x.currency}|${x.address}|${x.program}`));
    expect(want.size).toBe(758);
    expect(got).toEqual(want);
    // normalisation agrees with the chain registry for the traced chains
    expect(normalizeAddress("ethereum", "0x21B8d56BDA776bbE68655A16895afd96F5534feD")).toBe(
      norm("ETH", "0x21B8d56BDA776bbE68655A16895afd96F5534feD"),
    );
  });

  it("is idempotent: the same file again changes nothing", async () => {
    const before = (await s.labels.list({ limit: 1 })).total;
    const again = await s.labels.importFile(OFAC_XML);
    expect(again.unchanged).toBe(true);
    await s.labels.importFile(NBCTF_CSV);
    const mid = (await s.labels.list({ limit: 1 })).total;
    expect((await s.labels.importFile(NBCTF_CSV)).unchanged).toBe(true);
    expect((await s.labels.list({ limit: 1 })).total).toBe(mid);
    expect(mid).toBeGreaterThan(before);
  });

  it("a newer OFAC list removes delisted addresses (Tornado Cash, delisted 2025-03)", {
    tags: ["slow"],
  }, async () => {
    const tornado = "0x8589427373d6d84e98730d7795d8f6f8731fda16"; // Tornado Cash router, CYBER2;DPRK3 until 2025-03
    const old = parseOfacCsv(readFileSync(HISTORY_CSV, "utf8"), {
      snapshot: "2025-03-04",
      sourceFile: "history.csv",
    });
    await s.labels.writeDataset(old, "ofac_history@2025-03-04", null);
    const listed = (await s.labels.forAddresses("ethereum", [tornado])).get(tornado) ?? [];
    expect(listed.map((l) => `${l.category}:${l.program}`).sort()).toEqual([
      "hacking:CYBER2;DPRK3",
      "sanction:CYBER2;DPRK3",
    ]);
    const tornadoCount = (await ofacRows()).filter((r) => r.program === "CYBER2;DPRK3").length;
    expect(tornadoCount).toBeGreaterThan(0);

    // re-importing the 2025-11-19 XML (already imported once) must still replace the older snapshot; the
    // Tornado Cash delisting removes 90 of 704 addresses, more than the 10% an import removes without --force
    await expect(s.labels.importFile(OFAC_XML)).rejects.toThrow(
      /would remove 90 of the 704 addresses \(12\.8%.*authority dataset "ofac-sdn".*--force/,
    );
    expect((await s.labels.forAddresses("ethereum", [tornado])).get(tornado)).toHaveLength(2);
    const r = await s.labels.importFile(OFAC_XML, { force: true });
    expect(r).toMatchObject({ unchanged: false, removedAddresses: 90, authority: true });
    expect(r.removed).toBeGreaterThanOrEqual(90);
    expect((await s.labels.forAddresses("ethereum", [tornado])).get(tornado)).toBeUndefined();
    expect(new Set((await ofacRows()).map((x) => `${x.currency}|${x.address}|${x.program}`)).size).toBe(758);
  });

  it("loads the bundled default label set", { tags: ["slow"] }, async () => {
    const fresh = await testServices("defaults");
    try {
      const results = await importDefaultLabels(fresh);
      expect(results.map((r) => r.dataset)).toEqual(
        expect.arrayContaining([
          "ofac-sdn",
          "nbctf",
          "tagpack:Binance reserve wallets (GraphSense Core Team)",
        ]),
      );
      expect(results.every((r) => r.rows > 0)).toBe(true);
      const exch = await fresh.screen.screen([
        { chain: "ethereum", address: "0x28c6c06298d514db089934071355e5743bf21d60" },
      ]);
      expect((exch.results[0] as ScreenResult).categories).toContain("exchange");
    } finally {
      fresh.close();
    }
  });

  it("exports everything as one TagPack that re-imports to the same label set", async () => {
    const yaml = await both.labels.export("tagpack");
    const other = await testServices("tagpack-roundtrip");
    try {
      await other.labels.importBytes(Buffer.from(yaml), "export.yaml");
      const key = (l: any) =>
        [
          l.chain,
          l.address,
          l.label,
          l.category,
          l.source,
          l.confidence,
          l.program,
          l.reference,
          l.clusterDefining,
          l.actor ?? "",
        ].join("|");
      const a = (await both.labels.all()).map(key).sort();
      const b = (await other.labels.all()).map(key).sort();
      expect(a.length).toBeGreaterThan(1800);
      expect(b).toEqual(a);
    } finally {
      other.close();
    }
  });
});
