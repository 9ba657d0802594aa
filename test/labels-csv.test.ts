import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { LabelRecord } from "../src/domain.ts";
import { BadInputError } from "../src/errors.ts";
import { exportLabelCsv, LABEL_CSV_COLUMNS, parseLabelCsv } from "../src/labels/csv.ts";
import { parseEvmLabels, readEvmLabelsFile } from "../src/labels/evm-labels.ts";
import { sniffLabelFormat } from "../src/labels/sniff.ts";
import { readTagPackFile } from "../src/labels/tagpack.ts";
import { bundled, fixture } from "./helpers/fixtures.ts";

const data = (rel: string) => fixture(`labels/${rel}`);
const DAWSBOT = bundled("exchanges/eth_labels_dawsbot_2024-06_exchange_bridge_mixer_risk.json");
const sortLabels = (l: LabelRecord[]) =>
  [...l].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe("parseLabelCsv", () => {
  const header = LABEL_CSV_COLUMNS.join(",");

  it("reads the standard columns", () => {
    const text = [
      header,
      "bitcoin,34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo,Binance reserve,exchange,https://binance.com,service_data,,,true",
      'eth,0x47ac0Fb4F2D84898e4D9E7b4DaB3C24507a6D503,"Acme, Inc.",Mixing Service,manual,70,SDGT;IFSR,uid-1,0',
      'tron,TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi,"multi\nline ""quoted""",terrorism_financing,NBCTF,,,,',
      "bsc,0x28c6c06298d514db089934071355e5743bf21d60,BSC wallet,bridge,src,authority_data,,ref,yes",
    ].join("\n");
    const ds = parseLabelCsv(text, { sourceFile: "/x/y/my-labels.csv" });
    expect(ds.dataset).toBe("csv:my-labels.csv");
    expect(ds.format).toBe("csv");
    expect(ds.skipped).toEqual([]);
    expect(ds.labels).toEqual([
      {
        chain: "bitcoin",
        address: "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo",
        currency: "BTC",
        label: "Binance reserve",
        category: "exchange",
        source: "https://binance.com",
        confidence: 50,
        program: null,
        reference: null,
        clusterDefining: true,
        actor: null,
      },
      {
        chain: "ethereum",
        address: "0x47ac0fb4f2d84898e4d9e7b4dab3c24507a6d503",
        currency: "ETH",
        label: "Acme, Inc.",
        category: "mixing_service",
        source: "manual",
        confidence: 70,
        program: "SDGT;IFSR",
        reference: "uid-1",
        clusterDefining: false,
        actor: null,
      },
      {
        chain: "tron",
        address: "TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi",
        currency: "TRX",
        label: 'multi\nline "quoted"',
        category: "terrorism_financing",
        source: "NBCTF",
        confidence: 5,
        program: null,
        reference: null,
        clusterDefining: false,
        actor: null,
      },
      {
        chain: "bsc",
        address: "0x28c6c06298d514db089934071355e5743bf21d60",
        currency: "BNB",
        label: "BSC wallet",
        category: "defi_bridge",
        source: "src",
        confidence: 60,
        program: null,
        reference: "ref",
        clusterDefining: true,
        actor: null,
      },
    ]);
    expect(parseLabelCsv(text).dataset).toBe("csv");
  });

  it("skips bad rows with line numbers and reasons", () => {
    const text = [
      header, // 1
      "bitcoin,1MFgcyJ7ZNSknbTBRaih6zWDE6V1A64tRYs,bad checksum,scam,s,50,,,false", // 2
      "dogecoinz,DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L,unknown chain,scam,s,50,,,false", // 3
      "", // 4 (empty, ignored)
      "ethereum,0x326031E680419FB020A5361fF56384e166b5aa85,bad eip55,scam,s,50,,,false", // 5
      "ethereum,0x28c6c06298d514db089934071355e5743bf21d60,,scam,s,50,,,false", // 6
      "ethereum,0x28c6c06298d514db089934071355e5743bf21d60,x,scam,s,maybe,,,false", // 7
      "ethereum,0x28c6c06298d514db089934071355e5743bf21d60,x,scam,s,150,,,false", // 8
      "ethereum,0x28c6c06298d514db089934071355e5743bf21d60,x,scam,s,50,,,perhaps", // 9
      "ethereum,0x28c6c06298d514db089934071355e5743bf21d60,too,few", // 10
      ",0x28c6c06298d514db089934071355e5743bf21d60,x,scam,s,50,,,false", // 11
      "tron,,x,scam,s,50,,,false", // 12
      "tron,TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi,good,scam,s,50,,,false", // 13
    ].join("\n");
    const ds = parseLabelCsv(text);
    expect(ds.labels.map((l) => l.label)).toEqual(["good"]);
    expect(ds.skipped).toEqual([
      {
        address: "1MFgcyJ7ZNSknbTBRaih6zWDE6V1A64tRYs",
        reason: "line 2: invalid bitcoin address: bad base58check checksum",
      },
      { address: "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L", reason: 'line 3: unknown chain "dogecoinz"' },
      {
        address: "0x326031E680419FB020A5361fF56384e166b5aa85",
        reason: "line 5: invalid ethereum address: bad EIP-55 checksum",
      },
      { address: "0x28c6c06298d514db089934071355e5743bf21d60", reason: "line 6: empty label" },
      {
        address: "0x28c6c06298d514db089934071355e5743bf21d60",
        reason: 'line 7: bad confidence "maybe" (0..100 or a GraphSense confidence id)',
      },
      {
        address: "0x28c6c06298d514db089934071355e5743bf21d60",
        reason: 'line 8: bad confidence "150" (0..100 or a GraphSense confidence id)',
      },
      {
        address: "0x28c6c06298d514db089934071355e5743bf21d60",
        reason: 'line 9: bad cluster_defining "perhaps" (true/false)',
      },
      { address: "0x28c6c06298d514db089934071355e5743bf21d60", reason: "line 10: expected 9 fields, got 4" },
      { address: "0x28c6c06298d514db089934071355e5743bf21d60", reason: "line 11: empty chain" },
      { address: "", reason: "line 12: empty address" },
    ]);
  });

  it("reports an unclosed quote instead of throwing", () => {
    const ds = parseLabelCsv(
      `${header}\ntron,TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi,ok,scam,s,50,,,false\nbitcoin,"1abc,x\n`,
    );
    expect(ds.labels).toHaveLength(1);
    expect(ds.skipped).toHaveLength(1);
    expect(ds.skipped[0]?.reason).toMatch(/^line \d+: Quote Not Closed/);
  });

  it("requires a header; matches columns by name", () => {
    expect(() => parseLabelCsv("bitcoin,34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo,x\n")).toThrow(BadInputError);
    expect(() => parseLabelCsv("chain,address,label,label\n")).toThrow(/repeats/);
    expect(parseLabelCsv(`${header}\n`).labels).toEqual([]);
    expect(parseLabelCsv("").labels).toEqual([]);
    const ds = parseLabelCsv(
      "\ufeffLabel,Address,Chain,notes\nWallet,34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo,BTC,ignored\n",
    );
    expect(ds.labels[0]).toMatchObject({
      chain: "bitcoin",
      label: "Wallet",
      category: "unknown",
      confidence: 5,
      source: "csv",
      clusterDefining: false,
    });
  });

  it("round-trips through exportLabelCsv", async () => {
    const text = [
      header,
      'bitcoin,bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h," padded, ""label"" ",exchange,s,33,,,true',
      "ethereum,0x47ac0fb4f2d84898e4d9e7b4dab3c24507a6d503,x,sanction,OFAC SDN,authority_data,CYBER2;DPRK3,uid 1,false",
      "litecoin,LQ3B36Yv2rBTxdgAdYpU2UcEZsaNwXeATk,ltc,scam,s,10,,,false",
    ].join("\n");
    const first = parseLabelCsv(text);
    expect(first.labels).toHaveLength(3);
    expect(first.labels[0]?.label).toBe('padded, "label"');
    const again = parseLabelCsv(exportLabelCsv(first.labels));
    expect(again.skipped).toEqual([]);
    expect(again.labels).toEqual(first.labels);

    // TagPack and evm-labels records (with actors and source currencies) survive too
    const tp = await readTagPackFile(bundled("exchanges/exchange-wallets-binance.yaml"));
    const evm = await readEvmLabelsFile(DAWSBOT);
    const all = [...tp.labels, ...evm.labels];
    const back = parseLabelCsv(exportLabelCsv(all));
    expect(back.skipped).toEqual([]);
    expect(sortLabels(back.labels)).toEqual(sortLabels(all));
    expect(exportLabelCsv([]).trim()).toBe(`${header},actor,currency`);
  });
});

describe("evm-labels", () => {
  it("parses the dawsbot multi-chain array", async () => {
    const ds = await readEvmLabelsFile(DAWSBOT);
    expect(ds.dataset).toBe("evm-labels:eth_labels_dawsbot_2024-06_exchange_bridge_mixer_risk.json");
    expect(ds.format).toBe("evm-labels");
    expect(ds.labels).toHaveLength(2780);
    expect(ds.skipped).toHaveLength(159);
    const reasons: Record<string, number> = {};
    for (const s of ds.skipped) reasons[s.reason] = (reasons[s.reason] ?? 0) + 1;
    expect(reasons).toEqual({
      "unsupported chain_explorer celo": 113,
      "unsupported chain_explorer gnosis": 46,
    });
    const chains = new Set(ds.labels.map((l) => l.chain));
    expect(chains).toEqual(new Set(["ethereum", "arbitrum", "base", "bsc", "optimism"]));
    expect(
      ds.labels.find(
        (l) => l.chain === "arbitrum" && l.address === "0xb38e8c17e38363af6ebdcb3dae12e0243582891d",
      ),
    ).toEqual({
      chain: "arbitrum",
      address: "0xb38e8c17e38363af6ebdcb3dae12e0243582891d",
      currency: "ETH",
      label: "Binance Hot Wallet",
      category: "exchange",
      source: "Etherscan-family explorer labels (dawsbot/eth-labels)",
      confidence: 20,
      program: null,
      reference: "binance,exchange",
      clusterDefining: false,
      actor: null,
    });
    const coinbase = ds.labels.filter((l) => l.address === "0x05e3a758fdd29d28435019ac453297ea37b61b62");
    expect(coinbase.map((l) => [l.chain, l.label, l.category]).sort()).toEqual([
      ["arbitrum", "Coinbase 1", "exchange"],
      ["ethereum", "Coinbase 27", "exchange"],
    ]);
    const cats = new Set(ds.labels.map((l) => l.category));
    for (const c of ["exchange", "defi_bridge", "mixing_service", "sanction", "phishing", "abuse"])
      expect(cats).toContain(c);
    expect(cats).not.toContain("bridge");
    expect(cats).not.toContain("risk");
  });

  it("parses the brianleect ethereum object", async () => {
    const ds = await readEvmLabelsFile(
      data("evm-labels/etherscan_labels_brianleect_2023-06_ethereum_exchange_bridge_mixer_risk.json"),
    );
    expect(ds.labels).toHaveLength(1722);
    expect(ds.skipped).toEqual([]);
    expect(ds.labels.every((l) => l.chain === "ethereum" && l.confidence === 20)).toBe(true);
    expect(ds.labels.find((l) => l.address === "0x28c6c06298d514db089934071355e5743bf21d60")).toMatchObject({
      label: "Binance 14",
      category: "exchange",
      reference: "binance",
    });
    // Tornado Cash pool: listed as mixer and (2023) as OFAC-sanctioned
    const tc = ds.labels.filter((l) => l.address === "0x07687e702b410fa43f4cb4af7fa097918ffd2730");
    expect(tc.map((l) => l.category).sort()).toEqual(["mixing_service", "sanction"]);
    // mixed-case keys are EIP-55 checked and lower-cased
    expect(ds.labels.some((l) => l.address === "0x0316eb71485b0ab14103307bf65a021042c6d380")).toBe(true);
  });

  it("rejects non-label JSON and skips unknown explorers", () => {
    expect(() => parseEvmLabels("nope")).toThrow(BadInputError);
    expect(() => parseEvmLabels("42")).toThrow(BadInputError);
    const ds = parseEvmLabels(
      JSON.stringify([
        {
          chain_explorer: "polygonscan",
          label: "x",
          category: "mixer",
          address: "0x28c6c06298d514db089934071355e5743bf21d60",
          nameTag: "",
        },
        {
          chain_explorer: "snowtrace",
          label: "heist",
          category: "risk",
          address: "0x28c6c06298d514db089934071355e5743bf21d60",
          nameTag: "N",
        },
        {
          chain_explorer: "fantomscan",
          label: "x",
          category: "exchange",
          address: "0x28c6c06298d514db089934071355e5743bf21d60",
        },
        { chain_explorer: "etherscan", label: "x", category: "exchange", address: "0xABC" },
      ]),
    );
    expect(ds.labels.map((l) => [l.chain, l.category, l.label])).toEqual([
      ["polygon", "mixing_service", "x"],
      ["avalanche", "service_hack", "N"],
    ]);
    expect(ds.skipped.map((s) => s.reason)).toEqual([
      "unsupported chain_explorer fantomscan",
      "invalid ethereum address: not 0x followed by 40 hex digits",
    ]);
  });
});

describe("sniffLabelFormat", () => {
  const head = (path: string, decompress = false): string => {
    if (decompress) return gunzipSync(readFileSync(path)).subarray(0, 4096).toString("utf8");
    const fd = openSync(path, "r");
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    return buf.subarray(0, n).toString("utf8");
  };
  const sniff = (path: string, decompress = false) => sniffLabelFormat(path, head(path, decompress));

  it("recognises the real files", () => {
    expect(sniff(bundled("ofac/sdn_advanced_2025-11-19.xml.bz2"))).toBe("ofac-sdn");
    expect(sniffLabelFormat("sdn_advanced.xml", '<?xml version="1.0"?>\n<Sanctions xmlns="x">')).toBe(
      "ofac-sdn",
    );
    expect(sniff(data("ofac/ofac_sdn_digital_currency_addresses.csv"))).toBe("ofac-sdn");
    expect(sniff(data("ofac/ofac_sdn_digital_currency_addresses_2026-08-20_update.csv"))).toBe("ofac-sdn");
    expect(sniff(data("terror-financing/ofac_sdgt_fto_digital_currency_addresses.csv"))).toBe("ofac-sdn");
    expect(sniff(bundled("nbctf/il_nbctf_seizure_orders_wallets.csv"))).toBe("nbctf");
    expect(sniff(bundled("exchanges/exchange-wallets-binance.yaml"))).toBe("tagpack");
    expect(sniff(data("graphsense/packs/miners.yaml.gz"))).toBe("tagpack");
    expect(sniff(data("graphsense/packs/miners.yaml.gz"), true)).toBe("tagpack");
    expect(sniff(DAWSBOT)).toBe("evm-labels");
    expect(
      sniff(data("evm-labels/etherscan_labels_brianleect_2023-06_ethereum_exchange_bridge_mixer_risk.json")),
    ).toBe("evm-labels");
    expect(sniffLabelFormat("labels.csv", exportLabelCsv([]))).toBe("csv");
  });

  it("returns null for other files", () => {
    expect(sniff(data("graphsense/actors/graphsense.actorpack.yaml.gz"))).toBeNull();
    expect(sniff(data("graphsense/actors/graphsense.actorpack.yaml.gz"), true)).toBeNull();
    expect(sniff(data("graphsense/taxonomy/confidence.csv"))).toBeNull();
    expect(sniff(data("graphsense/taxonomy/tagpack_schema.yaml"))).toBeNull();
    expect(sniff(data("scams/mew_addresses-darklist_2018-11-05.json"))).toBeNull();
    expect(sniff(data("ofac/ofac_sdn_digital_currency_addresses.json"))).toBeNull();
    // header line only: the table itself is CC BY-NC and not copied (sniffing a CSV reads its header)
    expect(
      sniff(data("terror-financing/il_nbctf_seizure_wallets_opensanctions_curated_header-only.csv")),
    ).toBeNull();
    expect(sniff(fixture("README.md"))).toBeNull();
  });

  it("detects a TagPack whose header is longer than the head", () => {
    expect(sniffLabelFormat("p.yaml", "title: x\ncreator: y\ndescription: >\n  very long")).toBe("tagpack");
    expect(sniffLabelFormat("p.txt", "title: x\ncreator: y\n")).toBeNull();
  });
});
