import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { normalizeAddress } from "../src/chains.ts";
import type { LabelRecord } from "../src/domain.ts";
import { BadInputError } from "../src/errors.ts";
import {
  exportTagPack,
  normalizeTagAddress,
  parseTagPack,
  readTagPackFile,
  tagChain,
  yamlScalar,
} from "../src/labels/tagpack.ts";
import {
  CONCEPT_IDS,
  conceptAncestors,
  confidenceLevel,
  confidenceName,
  isConcept,
  normalizeCategory,
} from "../src/labels/taxonomy.ts";
import { bundled, fixture } from "./helpers/fixtures.ts";

const PACKS = fixture("labels/graphsense/packs");
// the exchange-wallet packs ship in the default label set, the other GraphSense packs are fixtures
const EXCHANGE_PACKS = bundled("exchanges");
const pack = (name: string) => join(name.startsWith("exchange-wallets-") ? EXCHANGE_PACKS : PACKS, name);
const readText = (path: string) => {
  const buf = readFileSync(path);
  return (path.endsWith(".gz") ? gunzipSync(buf) : buf).toString("utf8");
};

const KEYS = [
  "chain",
  "address",
  "label",
  "category",
  "source",
  "confidence",
  "clusterDefining",
  "actor",
  "program",
  "reference",
] as const;
/** The fields a TagPack round trip keeps (currency is re-derived from the chain). */
function comparable(labels: LabelRecord[]) {
  return labels
    .map((l) => Object.fromEntries(KEYS.map((k) => [k, l[k] ?? null])))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe("taxonomy", () => {
  it("has the GraphSense concepts", () => {
    expect(CONCEPT_IDS).toHaveLength(86);
    for (const id of [
      "exchange",
      "mixing_service",
      "defi_bridge",
      "sanction",
      "terrorism_financing",
      "ransomware",
    ]) {
      expect(isConcept(id)).toBe(true);
    }
    expect(isConcept("defi_derivative")).toBe(true);
    expect(conceptAncestors("sextortion")).toEqual([
      "sextortion",
      "extortion",
      "abuse",
      "behaviour",
      "concept",
    ]);
  });

  it("maps confidence names and numbers", () => {
    expect(confidenceLevel("service_data")).toBe(50);
    expect(confidenceLevel("authority_data")).toBe(60);
    expect(confidenceLevel("web_crawl")).toBe(20);
    expect(confidenceLevel("ownership")).toBe(100);
    expect(confidenceLevel("Ledger-Immanent")).toBe(100);
    expect(confidenceLevel("no_such_level")).toBe(5);
    expect(confidenceLevel(undefined)).toBe(5);
    expect(confidenceLevel(42)).toBe(42);
    expect(confidenceLevel("70")).toBe(70);
    expect(confidenceLevel(150)).toBe(5);
    expect(confidenceLevel(-1)).toBe(5);
    expect(confidenceName(50)).toBe("service_data");
    expect(confidenceName(20)).toBe("web_crawl");
    expect(confidenceName(60)).toBe("authority_data");
    expect(confidenceName(5)).toBe("unknown");
    expect(confidenceName(100)).toBe("ledger_immanent");
    expect(confidenceName(33)).toBe("untrusted_transaction");
    expect(confidenceName(0)).toBe("unknown");
    for (const n of [5, 10, 20, 40, 50, 60, 70, 90, 100]) expect(confidenceLevel(confidenceName(n))).toBe(n);
  });

  it("normalises categories", () => {
    expect(normalizeCategory("Mixing Service")).toBe("mixing_service");
    expect(normalizeCategory("defi-bridge")).toBe("defi_bridge");
    expect(normalizeCategory("black_list")).toBe("abuse");
    expect(normalizeCategory("mixer")).toBe("mixing_service");
    expect(normalizeCategory("bridge")).toBe("defi_bridge");
    expect(normalizeCategory("mixing")).toBe("mixing"); // a concept of its own
    expect(normalizeCategory("")).toBe("unknown");
    expect(normalizeCategory(null)).toBe("unknown");
    expect(normalizeCategory("Something Else")).toBe("something_else");
  });
});

describe("parseTagPack on real packs", () => {
  it("reads exchange-wallets-binance.yaml with header inheritance", async () => {
    const ds = await readTagPackFile(pack("exchange-wallets-binance.yaml"));
    expect(ds.format).toBe("tagpack");
    expect(ds.dataset).toBe("tagpack:exchange-wallets-binance");
    expect(ds.labels).toHaveLength(61);
    expect(ds.skipped).toHaveLength(25);
    expect(new Set(ds.skipped.map((s) => s.reason))).toEqual(new Set(["unsupported currency BEP2"]));

    const btc = ds.labels.find((l) => l.address === "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo");
    expect(btc).toEqual({
      chain: "bitcoin",
      address: "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo",
      currency: "BTC",
      label: "binance reserve wallets BTC",
      category: "exchange",
      source: "https://www.binance.com/en/blog/community/our-commitment-to-transparency-2895840147147652626",
      confidence: 50,
      program: null,
      reference: null,
      clusterDefining: true,
      actor: "binance",
    });
    const bech = ds.labels.find((l) => l.address === "bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h");
    expect(bech?.chain).toBe("bitcoin");
    // mixed-case EIP-55 address is normalised to lower case
    const eth = ds.labels.find((l) => l.address === "0x47ac0fb4f2d84898e4d9e7b4dab3c24507a6d503");
    expect(eth).toMatchObject({
      chain: "ethereum",
      label: "binance reserve wallets USDT",
      clusterDefining: true,
    });
    const trx = ds.labels.find((l) => l.address === "TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi");
    expect(trx).toMatchObject({ chain: "tron", currency: "TRX", label: "binance reserve wallets USDC" });
    const bsc = ds.labels.filter((l) => l.currency === "BEP20");
    expect(bsc).toHaveLength(16);
    expect(new Set(bsc.map((l) => l.chain))).toEqual(new Set(["bsc"]));
    expect(ds.labels.every((l) => l.actor === "binance" && l.clusterDefining && l.confidence === 50)).toBe(
      true,
    );
  });

  it("reads a gzip pack (miners.yaml.gz) with tag-level fields over the header", async () => {
    const ds = await readTagPackFile(pack("miners.yaml.gz"));
    expect(ds.dataset).toBe("tagpack:miners");
    expect(ds.labels).toHaveLength(37439);
    expect(ds.skipped).toHaveLength(0);
    expect(ds.labels[0]).toEqual({
      chain: "bitcoin",
      address: "1NFw6R8ySoyzCvRrKGK2jWDuVUcq8ECggP",
      currency: "BTC",
      label: "Sigmapool.com",
      category: "miner",
      source: "https://github.com/MatteoRomiti/Deep_Dive_BTC_Mining_Pools/blob/master/dataset/miners.json",
      confidence: 50,
      program: null,
      reference: null,
      clusterDefining: true,
      actor: "sigmapool",
    });
  });

  it("uses the abuse concept over the entity category and defaults missing confidence", async () => {
    const rw = await readTagPackFile(pack("ransomware.yaml.gz"));
    expect(rw.labels[0]).toMatchObject({ address: "1Lud76Q98VRHCUiyK7XUs7AgFofrqXeP78", label: "7ev3n" });
    expect(rw.labels.every((l) => l.category === "ransomware")).toBe(true);
    const ofac = await readTagPackFile(pack("ofac.yaml"));
    expect(ofac.labels.find((l) => l.address === "3K35dyL85fR9ht7UgzPfd1gLRRXQtNTqE3")).toMatchObject({
      chain: "bitcoin",
      confidence: 5,
      category: "user",
      source: "https://www.treasury.gov/ofac/downloads/sdnlist.txt",
    });
    const usdt = await readTagPackFile(pack("usdt_blacklist.yaml"));
    expect(usdt.labels.every((l) => l.category === "abuse" && l.confidence === 100)).toBe(true);
  });

  it("skips bad checksums and unknown currencies with reasons", async () => {
    const plus = await readTagPackFile(pack("plustoken.yaml"));
    expect(plus.skipped).toContainEqual({
      address: "1MFgcyJ7ZNSknbTBRaih6zWDE6V1A64tRYs",
      reason: "invalid bitcoin address: bad base58check checksum",
    });
    const wc = await readTagPackFile(pack("etherscan-label-word-cloud.yaml.gz"));
    expect(wc.skipped).toContainEqual({
      address: "0xA0DF9CA52e8aB5DDE22C55D9B3C2CDF814B9B773",
      reason: "invalid ethereum address: bad EIP-55 checksum",
    });
  });

  it("matches the plain yaml parser on real packs", () => {
    for (const name of [
      "exchange-wallets-binance.yaml",
      "usdt_blacklist.yaml", // multi-line quoted context
      "etherscan-wordcloud-exchange.yaml", // concepts lists
      "ofac.yaml",
      "hacks.yaml",
      "defi_updated/defi-protocols_aave.yaml",
      "ransomwhere.yaml.gz",
    ]) {
      const text = readText(pack(name));
      const fast = parseTagPack(text, { sourceFile: name });
      const slow = parseTagPack(text, { sourceFile: name, fastPath: false });
      expect(fast, name).toEqual(slow);
    }
  });

  it("parses all packs in the repository", async () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml(\.gz)?$/.test(e)) files.push(p);
      }
    };
    walk(PACKS);
    walk(EXCHANGE_PACKS);
    const t0 = performance.now();
    let labels = 0;
    let skipped = 0;
    const ids = new Set<string>();
    for (const f of files) {
      const ds = await readTagPackFile(f);
      labels += ds.labels.length;
      skipped += ds.skipped.length;
      ids.add(ds.dataset);
    }
    const ms = Math.round(performance.now() - t0);
    console.log(`parsed ${files.length} packs: ${labels} labels, ${skipped} skipped in ${ms} ms`);
    // The public GraphSense set has 86 packs (524,170 tags); its 9 largest (BitMEX x7, samourai,
    // sextortion_talos: 431,356 tags, 11 MB) are not copied: parsing them covers exactly the same
    // code (V8 block coverage) and adds no skip reason, chain, category or key the others lack.
    expect(files).toHaveLength(77);
    expect(labels + skipped).toBe(92814);
    expect(skipped).toBe(146);
    expect(ids.size).toBe(files.length); // multi-part packs share titles, ids come from file names
  });
});

describe("parseTagPack details", () => {
  const base = `title: Test pack
creator: tester
source: https://example.org/header
confidence: forensic
category: exchange
currency: BTC
label: header label
is_cluster_definer: true
actor: acme
tags:
`;

  it("inherits header fields unless the tag overrides them", () => {
    const ds = parseTagPack(
      `${base}- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN
- address: '0xFA8E3920daF271daB92Be9B87d9998DDd94FEF08'
  currency: ETH
  label: tag label
  source: https://example.org/tag
  confidence: web_crawl
  is_cluster_definer: false
  actor: other
  abuse: scam
- address: TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi
  currency: USDT
  network: TRX
  category: Mixing Service
`,
    );
    expect(ds.dataset).toBe("tagpack:Test pack");
    expect(ds.skipped).toEqual([]);
    expect(ds.labels).toEqual([
      {
        chain: "bitcoin",
        address: "1Archive1n2C579dMsAu3iC6tWzuQJz8dN",
        currency: "BTC",
        label: "header label",
        category: "exchange",
        source: "https://example.org/header",
        confidence: 50,
        program: null,
        reference: null,
        clusterDefining: true,
        actor: "acme",
      },
      {
        chain: "ethereum",
        address: "0xfa8e3920daf271dab92be9b87d9998ddd94fef08",
        currency: "ETH",
        label: "tag label",
        category: "scam",
        source: "https://example.org/tag",
        confidence: 20,
        program: null,
        reference: null,
        clusterDefining: false,
        actor: "other",
      },
      {
        chain: "tron",
        address: "TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi",
        currency: "USDT",
        label: "header label",
        category: "mixing_service",
        source: "https://example.org/header",
        confidence: 50,
        program: null,
        reference: null,
        clusterDefining: true,
        actor: "acme",
      },
    ]);
  });

  it("falls back to the title for source and to the file name for the dataset id", () => {
    const ds = parseTagPack(
      "creator: x\ncurrency: BTC\nlabel: l\ntags:\n- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\n",
      {
        sourceFile: "/tmp/some-pack.yaml.gz",
      },
    );
    expect(ds.dataset).toBe("tagpack:some-pack");
    const titled = parseTagPack(
      "title: T\ncreator: x\ncurrency: BTC\nlabel: l\ntags:\n- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\n",
    );
    expect(titled.labels[0]?.source).toBe("T");
    expect(titled.labels[0]?.confidence).toBe(5);
    expect(titled.labels[0]?.category).toBe("unknown");
  });

  it("puts unusable tags into skipped", () => {
    const ds = parseTagPack(
      `${base}- tx_hash: ab12
- address: 0x1234
- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dX
- address: bnb1xxxxxxxxxxxxxx
  currency: BEP2
- address: not_an_address
  currency: ""
  network: ""
`,
    );
    // the fast path hands the odd tags to yaml; both paths agree
    expect(ds).toEqual(
      parseTagPack(
        `${base}- tx_hash: ab12
- address: 0x1234
- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dX
- address: bnb1xxxxxxxxxxxxxx
  currency: BEP2
- address: not_an_address
  currency: ""
  network: ""
`,
        { fastPath: false },
      ),
    );
    expect(ds.labels).toEqual([]);
    expect(ds.skipped.map((s) => s.reason)).toEqual([
      "transaction tag (no address)",
      "address is not a string (unquoted number?)",
      "invalid bitcoin address: bad base58check checksum",
      "unsupported currency BEP2",
      "invalid bitcoin address: not a base58 or bech32 address",
    ]);
  });

  it("agrees with the yaml parser on awkward YAML", () => {
    const cases = [
      // comments, blank lines, CRLF, quoting styles
      `${base}# comment\n- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN # trailing\n\n  label: 'it''s ok' # c\n- address: "3CTPRyUbCKkByGmAVvDV6ReZXT1WfV3UPd"\n  label: "tab\\tescaped"\n`,
      `${base}- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\r\n  label: crlf\r\n`,
      // indented sequence, extra spaces after the dash, flow list, block list, anchors
      `${base}  - address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\n    label: indented\n  -   address: 3CTPRyUbCKkByGmAVvDV6ReZXT1WfV3UPd\n      concepts: [exchange, defi]\n`,
      `title: T\ncreator: c\ncurrency: BTC\ntags:\n- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\n  label: &l anchored\n  concepts:\n    - miner\n- address: 3CTPRyUbCKkByGmAVvDV6ReZXT1WfV3UPd\n  label: *l\n  concepts:\n  - coinjoin\n  - miner\n- address: 1NDyJtNTjmwk5xPNhjgAMu4HDHigtobu1s\n  label: plain list\n  concepts:\n  - exchange\n`,
      // multi-line plain and block scalars, numbers and booleans
      `${base}- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\n  label: a long\n    plain label\n  confidence: 70\n  is_cluster_definer: False\n- address: 3CTPRyUbCKkByGmAVvDV6ReZXT1WfV3UPd\n  label: >\n    folded\n    text\n  actor: 123\n`,
      // header keys after the tag list, empty tags
      `title: T\ncreator: c\ntags:\n- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\n  currency: BTC\nlabel: late header\n`,
      `title: T\ncreator: c\ntags: []\n`,
      `%YAML 1.1\n---\ntitle: T\ncreator: c\ncurrency: BTC\nlabel: x\nis_cluster_definer: yes\ntags:\n- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\n`,
      // values the core schema does not read as strings
      `${base}- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\n  label: null\n- address: 3CTPRyUbCKkByGmAVvDV6ReZXT1WfV3UPd\n  label: 0x1f\n  actor: ~\n`,
    ];
    for (const text of cases) {
      expect(parseTagPack(text), text).toEqual(parseTagPack(text, { fastPath: false }));
    }
    const labelled = parseTagPack(cases[0]!).labels;
    expect(labelled.map((l) => l.label)).toEqual(["it's ok", "tab\tescaped"]);
    expect(parseTagPack(cases[3]!).labels.map((l) => [l.label, l.category])).toEqual([
      ["anchored", "miner"],
      ["anchored", "coinjoin"],
      ["plain list", "exchange"],
    ]);
    expect(parseTagPack(cases[5]!).labels[0]?.label).toBe("late header");
    expect(parseTagPack(cases[6]!).labels).toEqual([]);
  });

  it("throws BadInputError for broken YAML or a missing tag list", () => {
    expect(() => parseTagPack(`${base}- address: '1Archive\n- address: x\n  label: [\n`)).toThrow(
      BadInputError,
    );
    expect(() => parseTagPack(`${base}- address: a\n  address: b\n`)).toThrow(BadInputError);
    expect(() => parseTagPack("title: T\ncreator: c\n")).toThrow(/no "tags" list/);
  });
});

describe("address fast path", () => {
  it("agrees with normalizeAddress on valid and damaged addresses", () => {
    const valid = [
      "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo",
      "1Archive1n2C579dMsAu3iC6tWzuQJz8dN",
      "1NFw6R8ySoyzCvRrKGK2jWDuVUcq8ECggP",
      "bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h",
      "bc1qnfu52l5vgg0gf2hw98epfvupveepnq7tg5l75h",
      "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
      "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
      "111111111111111111114oLvT2",
    ];
    const variants = new Set<string>();
    for (const a of valid) {
      variants.add(a);
      variants.add(a.toUpperCase());
      variants.add(a.slice(0, -1));
      variants.add(`${a}1`);
      variants.add(`1${a}`);
      for (let i = 0; i < a.length; i += 3) {
        const c = a[i] === "q" ? "p" : a[i] === "1" ? "2" : "q";
        variants.add(a.slice(0, i) + c + a.slice(i + 1));
      }
    }
    const outcome = (f: () => string) => {
      try {
        return f();
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
    };
    for (const v of variants) {
      expect(
        outcome(() => normalizeTagAddress("bitcoin", v)),
        v,
      ).toBe(outcome(() => normalizeAddress("bitcoin", v)));
    }
  });

  it("resolves chains from network/currency", () => {
    const evm = "0x28c6c06298d514db089934071355e5743bf21d60";
    expect(tagChain(null, "ETH", evm)).toBe("ethereum");
    expect(tagChain(null, "USDT", evm)).toBe("ethereum");
    expect(tagChain(null, "BEP20", evm)).toBe("bsc");
    expect(tagChain("polygon", "ETH", evm)).toBe("polygon");
    expect(tagChain("MATIC", "ETH", evm)).toBe("polygon");
    expect(tagChain(null, "BTC", "1Archive1n2C579dMsAu3iC6tWzuQJz8dN")).toBe("bitcoin");
    expect(tagChain("TRX", "USDT", "TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi")).toBe("tron");
    expect(tagChain(null, "LTC", "LQ3B36Yv2rBTxdgAdYpU2UcEZsaNwXeATk")).toBe("litecoin");
    expect(tagChain(null, "EOS", "someaccount1")).toBeNull();
  });
});

describe("exportTagPack", () => {
  it("round-trips a real pack", async () => {
    const ds = await readTagPackFile(pack("exchange-wallets-binance.yaml"));
    const yaml = exportTagPack(ds.labels, { title: "Binance reserve wallets", creator: "fundtrace" });
    // shared values go into the header
    const doc = parseYaml(yaml) as Record<string, unknown>;
    expect(doc).toMatchObject({
      title: "Binance reserve wallets",
      creator: "fundtrace",
      category: "exchange",
      confidence: "service_data",
      is_cluster_definer: true,
      actor: "binance",
    });
    expect((doc.tags as unknown[]).length).toBe(61);
    const back = parseTagPack(yaml);
    expect(back.skipped).toEqual([]);
    expect(comparable(back.labels)).toEqual(comparable(ds.labels));
    expect(parseTagPack(yaml, { fastPath: false })).toEqual(back);
  });

  it("round-trips a large gzip pack", async () => {
    const ds = await readTagPackFile(pack("ransomwhere.yaml.gz"));
    const back = parseTagPack(exportTagPack(ds.labels, { title: "rw", creator: "c" }));
    expect(back.skipped).toEqual([]);
    expect(comparable(back.labels)).toEqual(comparable(ds.labels));
  });

  it("round-trips a mixed set across chains", () => {
    const mk = (over: Partial<LabelRecord>): LabelRecord => ({
      chain: "bitcoin",
      address: "1Archive1n2C579dMsAu3iC6tWzuQJz8dN",
      currency: "BTC",
      label: "x",
      category: "exchange",
      source: "https://example.org",
      confidence: 50,
      program: null,
      reference: null,
      clusterDefining: false,
      actor: null,
      ...over,
    });
    const labels: LabelRecord[] = [
      mk({
        label: "Internet Archive",
        category: "organization",
        clusterDefining: true,
        actor: "internet_archive",
      }),
      mk({ address: "bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h", label: "it's: a #label", confidence: 100 }),
      mk({
        chain: "ethereum",
        address: "0x28c6c06298d514db089934071355e5743bf21d60",
        currency: "ETH",
        label: "Binance 14",
        confidence: 20,
        reference: "etherscan:binance",
      }),
      mk({
        chain: "bsc",
        address: "0x28c6c06298d514db089934071355e5743bf21d60",
        currency: "BNB",
        label: "- dash\nnewline",
        category: "sanction",
        program: "SDGT;IFSR",
        reference: "12345",
        confidence: 60,
      }),
      mk({
        chain: "tron",
        address: "TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi",
        currency: "USDT",
        label: "true",
        category: "terrorism_financing",
        confidence: 33,
      }),
      mk({
        chain: "polygon",
        address: "0xf977814e90da44bfa03b6295a0616a897441acec",
        currency: "POL",
        label: "0x1f",
      }),
      mk({
        chain: "litecoin",
        address: "LQ3B36Yv2rBTxdgAdYpU2UcEZsaNwXeATk",
        currency: "LTC",
        label: "Ünïcode ✓",
      }),
      mk({
        chain: "ethereum-classic",
        address: "0xf977814e90da44bfa03b6295a0616a897441acec",
        label: "#hash: colon",
      }),
    ];
    const yaml = exportTagPack(labels, { title: "mixed: set", creator: "fundtrace tests" });
    const back = parseTagPack(yaml);
    expect(back.skipped).toEqual([]);
    expect(back.dataset).toBe("tagpack:mixed: set");
    expect(comparable(back.labels)).toEqual(comparable(labels));
    expect(parseTagPack(yaml, { fastPath: false })).toEqual(back);
    const doc = parseYaml(yaml) as { source: string; tags: Record<string, unknown>[] };
    expect(doc.source).toBe("https://example.org");
    expect(doc.tags.find((t) => t.network === "bsc")).toMatchObject({ currency: "ETH", network: "bsc" });
    expect(doc.tags.find((t) => t.network === "TRX")).toMatchObject({ currency: "TRX" });
    expect(doc.tags.find((t) => t.network === "litecoin")).toMatchObject({ currency: "LTC" });
  });

  it("writes an empty pack and safe scalars", () => {
    expect(parseTagPack(exportTagPack([], { title: "empty", creator: "c" })).labels).toEqual([]);
    for (const s of [
      "plain",
      "it's",
      "a: b",
      "#x",
      "- x",
      "true",
      "null",
      "0x1f",
      "1e5",
      "",
      " x",
      "a\tb",
      "line\nbreak",
      "\u2028",
    ]) {
      expect(parseYaml(`v: ${yamlScalar(s)}`)).toEqual({ v: s });
    }
  });
});
