import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { chainForCurrency, normalizeAddress } from "../src/chains.ts";
import type { LabelRecord } from "../src/domain.ts";
import { BadInputError } from "../src/errors.ts";
import {
  type OfacLabelDataset,
  ofacCategories,
  parseOfacCsv,
  parseOfacSdnXml,
  readOfacFile,
} from "../src/labels/ofac.ts";
import { isConcept } from "../src/labels/taxonomy.ts";
import { bundled, fixture } from "./helpers/fixtures.ts";

const OFAC = fixture("labels/ofac");
const XML_BZ2 = bundled("ofac/sdn_advanced_2025-11-19.xml.bz2");
const REF_CSV = `${OFAC}/ofac_sdn_digital_currency_addresses.csv`;
const HISTORY_CSV = `${OFAC}/ofac_sdn_digital_currency_addresses_history.csv`;
const UPDATE_CSV = `${OFAC}/ofac_sdn_digital_currency_addresses_2026-08-20_update.csv`;
const SDGT_CSV = fixture("labels/terror-financing/ofac_sdgt_fto_digital_currency_addresses.csv");

type Row = Record<string, string>;
const readCsv = (path: string): Row[] =>
  parse(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true }) as Row[];

const labelKey = (l: LabelRecord) =>
  `${l.chain}|${l.address}|${l.category}|${l.program ?? ""}|${l.currency}|${l.reference}`;
const labelsAt = (ds: OfacLabelDataset, chain: string, address: string) =>
  ds.labels.filter((l) => l.chain === chain && l.address === address);
const categoriesAt = (ds: OfacLabelDataset, chain: string, address: string) =>
  labelsAt(ds, chain, address)
    .map((l) => l.category)
    .sort();

let xml: OfacLabelDataset;
const ref = readCsv(REF_CSV);

beforeAll(async () => {
  xml = await readOfacFile(XML_BZ2);
});

describe("ofacCategories", () => {
  it("maps terrorism, narcotics and cyber programs and always adds sanction", () => {
    expect(ofacCategories(["SDGT"])).toEqual(["terrorism_financing", "sanction"]);
    expect(ofacCategories(["SDGT", "FTO"])).toEqual(["terrorism_financing", "sanction"]);
    expect(ofacCategories(["IFSR", "SDGT"])).toEqual(["terrorism_financing", "sanction"]);
    expect(ofacCategories(["SDT"])).toEqual(["terrorism_financing", "sanction"]);
    expect(ofacCategories(["ILLICIT-DRUGS-EO14059", "SDGT"])).toEqual([
      "terrorism_financing",
      "drugs",
      "sanction",
    ]);
    expect(ofacCategories(["SDNTK"])).toEqual(["drugs", "sanction"]);
    expect(ofacCategories(["SDNT"])).toEqual(["drugs", "sanction"]);
    expect(ofacCategories(["CYBER2", "DPRK3"])).toEqual(["hacking", "sanction"]);
    expect(ofacCategories(["CYBER4", "RUSSIA-EO14024"])).toEqual(["hacking", "sanction"]);
    expect(ofacCategories(["CYBER"])).toEqual(["hacking", "sanction"]);
    expect(ofacCategories(["NPWMD"])).toEqual(["sanction"]);
    expect(ofacCategories(["DPRK3"])).toEqual(["sanction"]);
    expect(ofacCategories(["TCO"])).toEqual(["sanction"]);
    expect(ofacCategories([])).toEqual(["sanction"]);
  });
});

describe("parseOfacSdnXml on the real 2025-11-19 list", () => {
  it("reads the date of issue into the source", () => {
    expect(xml.listDate).toBe("2025-11-19");
    expect(new Set(xml.labels.map((l) => l.source))).toEqual(new Set(["OFAC SDN 2025-11-19"]));
    expect(xml.dataset).toBe("ofac-sdn");
    expect(xml.format).toBe("ofac-sdn");
  });

  it("yields exactly the distinct (currency, address, programs) rows of the reference CSV", () => {
    const key = (c: string, a: string, p: string) => `${c}|${a}|${p}`;
    const want = new Set(ref.map((r) => key(r.currency ?? "", r.address ?? "", r.programs ?? "")));
    const got = new Set(xml.entries.map((e) => key(e.currency, e.address, e.programs.join(";"))));
    expect(want.size).toBe(758);
    expect([...got].filter((k) => !want.has(k))).toEqual([]);
    expect([...want].filter((k) => !got.has(k))).toEqual([]);
    expect(xml.entries).toHaveLength(ref.length);
  });

  it("matches the reference CSV's uid, name, party type, list, entry date and feature id", () => {
    const key = (...v: (string | null | undefined)[]) => v.map((x) => x ?? "").join("|");
    const want = new Set(
      ref.map((r) =>
        key(
          r.currency,
          r.address,
          r.sdn_uid,
          r.sdn_name,
          r.party_type,
          r.programs,
          r.list,
          r.entry_date,
          r.ofac_feature_id,
        ),
      ),
    );
    const got = new Set(
      xml.entries.map((e) =>
        key(
          e.currency,
          e.address,
          e.uid,
          e.name,
          e.partyType,
          e.programs.join(";"),
          e.list,
          e.entryDate,
          e.featureId,
        ),
      ),
    );
    expect(got).toEqual(want);
  });

  it("emits one label per (chain, address, category, program, currency, party) for every row", () => {
    const want = new Set<string>();
    for (const r of ref) {
      const cur = r.currency ?? "";
      const addr = r.address ?? "";
      // USDT on a Bitcoin address is Omni Layer Tether
      const chain = chainForCurrency(cur, addr) ?? (cur === "USDT" ? "bitcoin" : null);
      if (chain === null) continue;
      const programs = (r.programs ?? "").split(";");
      for (const category of ofacCategories(programs)) {
        want.add(
          `${chain}|${normalizeAddress(chain, addr)}|${category}|${r.programs}|${cur}|SDN uid ${r.sdn_uid}`,
        );
      }
    }
    const keys = xml.labels.map(labelKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(keys)).toEqual(want);
    // 761 published rows; exact repeats (the same feature listed twice) collapse
    expect(xml.labels).toHaveLength(want.size);
    expect(new Set(xml.labels.map((l) => `${l.currency}|${l.address}|${l.program}`)).size).toBe(758);
  });

  it("skips nothing: the BNB Beacon Chain address is kept as a label-only chain", () => {
    expect(xml.skipped).toEqual([]);
    expect(
      labelsAt(xml, "bnb-beacon", "bnb136ns6lfw4zs5hg4n85vdthaad7hq5m4gtkgf23").map((l) => l.category),
    ).toEqual(["drugs", "sanction"]);
  });

  it("fills every label field the same way", () => {
    for (const l of xml.labels) {
      expect(isConcept(l.category)).toBe(true);
      expect(l.confidence).toBe(60);
      expect(l.clusterDefining).toBe(false);
      expect(l.reference).toMatch(/^SDN uid \d+$/);
      expect(l.label).not.toBe("");
      expect(l.program).toMatch(/^[A-Z0-9 -]+(;[A-Z0-9 -]+)*$/);
    }
  });

  it("labels a known SDGT address as terrorism financing and sanction with its SDN name", () => {
    const sdgt = readCsv(SDGT_CSV).find((r) => r.address === "0x21B8d56BDA776bbE68655A16895afd96F5534feD");
    expect(sdgt?.sdn_name).toBe("Gaza Now");
    const addr = "0x21b8d56bda776bbe68655a16895afd96f5534fed";
    expect(categoriesAt(xml, "ethereum", addr)).toEqual(["sanction", "terrorism_financing"]);
    for (const l of labelsAt(xml, "ethereum", addr)) {
      expect(l).toMatchObject({
        label: "Gaza Now",
        program: "SDGT",
        reference: "SDN uid 47635",
        currency: "ETH",
      });
    }
    // Tron USDT wallet of Ansarallah (SDGT + FTO, in the XML's program order)
    const tron = labelsAt(xml, "tron", "TC4VsFHJdZ66BdwobZxkudVZBVmQZgCP65");
    expect(tron.map((l) => l.category).sort()).toEqual(["sanction", "terrorism_financing"]);
    expect(tron[0]).toMatchObject({ label: "Ansarallah", program: "SDGT;FTO", currency: "USDT" });
  });

  it("labels every address of the SDGT/FTO subset as terrorism financing", () => {
    for (const r of readCsv(SDGT_CSV)) {
      const chain = chainForCurrency(r.currency ?? "", r.address ?? "");
      expect(chain).not.toBeNull();
      const addr = normalizeAddress(chain as string, r.address ?? "");
      expect(categoriesAt(xml, chain as string, addr)).toContain("terrorism_financing");
    }
  });

  it("labels CYBER-program addresses as hacking", () => {
    const garantex = labelsAt(xml, "ethereum", "0x57ec89a0c056163a0314e413320f9b3abe761259");
    expect(garantex.map((l) => l.category).sort()).toEqual(["hacking", "sanction"]);
    expect(garantex[0]).toMatchObject({ label: "GARANTEX EUROPE OU", program: "CYBER4;RUSSIA-EO14024" });
    expect(categoriesAt(xml, "bitcoin", "3F6bbvS1krsc1qR8FsbTDfYQyvkMm3QvmR")).toEqual([
      "hacking",
      "sanction",
    ]);
    expect(labelsAt(xml, "bitcoin", "3F6bbvS1krsc1qR8FsbTDfYQyvkMm3QvmR")[0]?.label).toBe("Blender.io");
  });

  it("labels narcotics-program addresses as drugs", () => {
    expect(categoriesAt(xml, "bitcoin", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")).toEqual(["drugs", "sanction"]);
    expect(labelsAt(xml, "bitcoin", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")[0]).toMatchObject({
      label: "YAN Xiaobing",
      program: "SDNTK",
    });
    const tron = labelsAt(xml, "tron", "TMStbg5fgb4uTV7fK1gEYF9hKAzP3siPsG");
    expect(tron.map((l) => l.category).sort()).toEqual(["drugs", "sanction"]);
    expect(tron[0]).toMatchObject({ label: "Wang Jiantong", program: "ILLICIT-DRUGS-EO14059" });
  });

  it("keeps DPRK-only addresses as plain sanction", () => {
    const lazarus = labelsAt(xml, "ethereum", "0x098b716b8aaf21512996dc57eb0615e2383e2f96");
    expect(lazarus.map((l) => l.category)).toEqual(["sanction"]);
    expect(lazarus[0]).toMatchObject({
      label: "Lazarus Group",
      program: "DPRK3",
      reference: "SDN uid 27307",
    });
  });

  it("puts Omni USDT addresses on bitcoin", () => {
    const l = labelsAt(xml, "bitcoin", "3E6ZCKRrsdPc35chA9Eftp1h3DLW18NFNV");
    expect(l.map((x) => x.category).sort()).toEqual(["hacking", "sanction"]);
    expect(l[0]).toMatchObject({ currency: "USDT", label: "GARANTEX EUROPE OU" });
  });

  it("maps ARB/BSC/ETC addresses to their EVM chains", () => {
    expect(labelsAt(xml, "arbitrum", "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c")).toHaveLength(1);
    expect(xml.labels.some((l) => l.chain === "bsc")).toBe(true);
    expect(xml.labels.some((l) => l.chain === "ethereum-classic")).toBe(true);
  });
});

describe("parseOfacCsv", () => {
  it("imports the reference CSV into the same dataset and label keys as the XML", () => {
    const ds = parseOfacCsv(readFileSync(REF_CSV, "utf8"), {
      sourceFile: "ofac_sdn_digital_currency_addresses.csv",
    });
    expect(ds.dataset).toBe(xml.dataset);
    expect(new Set(ds.labels.map(labelKey))).toEqual(new Set(xml.labels.map(labelKey)));
    expect(ds.skipped).toEqual([]);
    expect(ds.labels[0]?.source).toBe("OFAC SDN");
  });

  it("takes the list date from the option or the file name", () => {
    const text = readFileSync(REF_CSV, "utf8");
    expect(parseOfacCsv(text, { date: "2025-11-19" }).labels[0]?.source).toBe("OFAC SDN 2025-11-19");
    expect(parseOfacCsv(text, { sourceFile: "x_2025-11-19.csv" }).labels[0]?.source).toBe(
      "OFAC SDN 2025-11-19",
    );
  });

  it("reads the history table at its latest snapshot by default", () => {
    const ds = parseOfacCsv(readFileSync(HISTORY_CSV, "utf8"));
    expect(ds.listDate).toBe("2025-11-19");
    expect(new Set(ds.labels.map(labelKey))).toEqual(new Set(xml.labels.map(labelKey)));
  });

  it("imports the 2026-08-20 update table and skips addresses whose case was lost", () => {
    const ds = parseOfacCsv(readFileSync(UPDATE_CSV, "utf8"), {
      sourceFile: "ofac_sdn_digital_currency_addresses_2026-08-20_update.csv",
    });
    expect(ds.dataset).toBe("ofac-sdn");
    expect(ds.listDate).toBe("2026-08-20");
    const lost = ds.skipped.filter((s) => /lower case/.test(s.reason));
    expect(lost).toHaveLength(8);
    expect(
      lost.some((s) => /ambiguous/.test(s.reason) && s.address === "tuuaxbawfa5nmsqnfycxyrzevz4a5gjmgy"),
    ).toBe(true);
    // recovered base58 case validates
    expect(labelsAt(ds, "dogecoin", "DHzAVdEoL3PjGeLWNdEJwwMA1CeQ9J9Cpo").length).toBeGreaterThan(0);
    expect(ds.labels.length).toBeGreaterThan(xml.labels.length);
  });

  it("rejects tables without the needed columns and snapshot filters on plain tables", () => {
    expect(() => parseOfacCsv("chain,address,label\nbitcoin,1abc,x\n")).toThrow(BadInputError);
    expect(() => parseOfacCsv(readFileSync(REF_CSV, "utf8"), { snapshot: "2025-01-01" })).toThrow(
      BadInputError,
    );
  });
});

describe("Tornado Cash delisting", () => {
  const TORNADO = readCsv(HISTORY_CSV).filter((r) => r.sdn_name === "TORNADO CASH");

  it("an older snapshot from the history table lists the Tornado Cash addresses", () => {
    expect(TORNADO).toHaveLength(90);
    for (const snapshot of ["2024-05-29", "2025-03-04"]) {
      const old = parseOfacCsv(readFileSync(HISTORY_CSV, "utf8"), { snapshot });
      expect(old.dataset).toBe("ofac-sdn");
      expect(old.listDate).toBe(snapshot);
      for (const r of TORNADO) {
        const addr = (r.address ?? "").toLowerCase();
        const l = labelsAt(old, "ethereum", addr);
        expect(l.map((x) => x.category).sort()).toEqual(["hacking", "sanction"]);
        expect(l[0]).toMatchObject({
          label: "TORNADO CASH",
          program: "CYBER2;DPRK3",
          source: `OFAC SDN ${snapshot}`,
        });
      }
    }
  });

  it("the 2025-11-19 XML no longer lists them", () => {
    const listed = new Set(xml.labels.map((l) => `${l.chain}|${l.address}`));
    for (const r of TORNADO) expect(listed.has(`ethereum|${(r.address ?? "").toLowerCase()}`)).toBe(false);
    expect(xml.labels.some((l) => /tornado/i.test(l.label))).toBe(false);
    expect(xml.entries.some((e) => /tornado/i.test(e.name))).toBe(false);
  });

  it("a snapshot after the delisting has none of them either", () => {
    const after = parseOfacCsv(readFileSync(HISTORY_CSV, "utf8"), { snapshot: "2025-04-02" });
    expect(after.labels.some((l) => l.label === "TORNADO CASH")).toBe(false);
  });
});

describe("parseOfacSdnXml on small documents", () => {
  const doc = (parties: string, entries: string) => `<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML">
  <DateOfIssue CalendarTypeID="1"><Year>2024</Year><Month>5</Month><Day>9</Day></DateOfIssue>
  <ReferenceValueSets>
    <FeatureTypeValues>
      <FeatureType ID="344" FeatureTypeGroupID="1">Digital Currency Address - XBT</FeatureType>
      <FeatureType ID="992" FeatureTypeGroupID="1">Digital Currency Address - TRX</FeatureType>
      <FeatureType ID="8" FeatureTypeGroupID="1">Birthdate</FeatureType>
    </FeatureTypeValues>
    <ListValues><List ID="1550">SDN List</List><List ID="91512">Consolidated List</List></ListValues>
    <PartySubTypeValues><PartySubType ID="4" PartyTypeID="1">Unknown</PartySubType></PartySubTypeValues>
    <PartyTypeValues><PartyType ID="1">Individual</PartyType></PartyTypeValues>
    <SanctionsTypeValues><SanctionsType ID="1705">Block</SanctionsType><SanctionsType ID="1">Program</SanctionsType></SanctionsTypeValues>
  </ReferenceValueSets>
  <DistinctParties>${parties}</DistinctParties>
  <SanctionsEntries>${entries}</SanctionsEntries>
</Sanctions>`;
  const party = `<DistinctParty FixedRef="7"><Profile ID="7" PartySubTypeID="4">
    <Identity ID="1" Primary="true">
      <Alias AliasTypeID="1400" Primary="false"><DocumentedName><DocumentedNamePart><NamePartValue>Alias Name</NamePartValue></DocumentedNamePart></DocumentedName></Alias>
      <Alias AliasTypeID="1403" Primary="true"><DocumentedName>
        <DocumentedNamePart><NamePartValue>DOE</NamePartValue></DocumentedNamePart>
        <DocumentedNamePart><NamePartValue>John &amp; Co</NamePartValue></DocumentedNamePart>
      </DocumentedName></Alias>
    </Identity>
    <Feature ID="11" FeatureTypeID="8"><FeatureVersion><VersionDetail DetailTypeID="1430">1970</VersionDetail></FeatureVersion></Feature>
    <Feature ID="12" FeatureTypeID="344"><FeatureVersion><VersionDetail DetailTypeID="1432"> 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h </VersionDetail></FeatureVersion></Feature>
    <Feature ID="13" FeatureTypeID="992"><FeatureVersion><VersionDetail DetailTypeID="1432">TNotAValidTronAddressXXXXXXXXXXXXX</VersionDetail></FeatureVersion></Feature>
  </Profile></DistinctParty>`;
  const entry = `<SanctionsEntry ID="7" ProfileID="7" ListID="91512">
      <SanctionsMeasure SanctionsTypeID="1"><Comment>IRAN</Comment></SanctionsMeasure>
    </SanctionsEntry>
    <SanctionsEntry ID="8" ProfileID="7" ListID="1550">
      <EntryEvent><Date><Year>2020</Year><Month>1</Month><Day>2</Day></Date></EntryEvent>
      <SanctionsMeasure SanctionsTypeID="1705"><Comment>not a program</Comment></SanctionsMeasure>
      <SanctionsMeasure SanctionsTypeID="1"><Comment>SDNTK</Comment></SanctionsMeasure>
      <SanctionsMeasure SanctionsTypeID="1"><Comment>CYBER2</Comment></SanctionsMeasure>
    </SanctionsEntry>`;

  it("takes the primary name, the SDN-list programs and skips invalid addresses", () => {
    const ds = parseOfacSdnXml(doc(party, entry));
    expect(ds.listDate).toBe("2024-05-09");
    expect(ds.entries).toEqual([
      expect.objectContaining({
        currency: "XBT",
        address: "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h",
        uid: "7",
        name: "DOE John & Co",
        partyType: "Individual",
        programs: ["SDNTK", "CYBER2"],
        list: "SDN List",
        entryDate: "2020-01-02",
        featureId: "12",
      }),
      expect.objectContaining({ currency: "TRX", featureId: "13" }),
    ]);
    expect(ds.labels.map((l) => l.category)).toEqual(["drugs", "hacking", "sanction"]);
    expect(ds.labels[0]).toMatchObject({
      chain: "bitcoin",
      program: "SDNTK;CYBER2",
      source: "OFAC SDN 2024-05-09",
    });
    expect(ds.skipped).toHaveLength(1);
    expect(ds.skipped[0]?.reason).toMatch(/invalid tron address/);
  });

  it("accepts a Buffer", () => {
    expect(parseOfacSdnXml(Buffer.from(doc(party, entry))).labels).toHaveLength(3);
  });

  it("rejects other XML and broken XML with BadInputError", () => {
    expect(() => parseOfacSdnXml("<html><body/></html>")).toThrow(BadInputError);
    expect(() => parseOfacSdnXml(doc(party, entry).slice(0, 900))).toThrow(BadInputError);
    expect(() => parseOfacSdnXml("")).toThrow(BadInputError);
  });
});
