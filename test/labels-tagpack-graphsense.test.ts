// Issue 17 point 7: TagPacks read and written as GraphSense (graphsense-lib's tagpack tool) reads them.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { parseTagPack, readTagPackFile } from "../src/labels/tagpack.ts";
import { exportTagPack, GRAPHSENSE_NETWORKS } from "../src/labels/tagpack-export.ts";
import {
  applyTagPackDefaults,
  CONCEPTS_CSV,
  CONFIDENCE_CSV,
  TAXONOMY_IDS,
  type TagRef,
  validateTagPack,
} from "../src/labels/tagpack-schema.ts";
import { CONCEPT_BROADER, CONFIDENCE_LEVELS } from "../src/labels/taxonomy.ts";
import { graphSenseYamlOptions } from "../src/labels/yaml11.ts";
import { importDefaultLabels, type Services } from "../src/services/index.ts";
import { labelRecord } from "./helpers/labels.ts";
import { testServices } from "./helpers/services.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
const A = "1Archive1n2C579dMsAu3iC6tWzuQJz8dN";
const B = "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo";

/** The GraphSense schema check of a YAML text, read as PyYAML reads it (no legacy allowances). */
function graphSenseErrors(yaml: string): string[] {
  const doc = parseYaml(yaml, graphSenseYamlOptions(null)) as Record<string, unknown>;
  const tags = ((doc.tags as unknown[]) ?? []).map((value): TagRef => ({ value, line: null }));
  const d = applyTagPackDefaults(doc, tags);
  return [...d.errors, ...validateTagPack(d.header, d.tags, { hasTags: "tags" in doc })];
}

const HEAD = "title: T\ncreator: C\ncurrency: BTC\nsource: https://example.org\n";

describe("the schema files and the validator", () => {
  it("taxonomy.ts holds exactly the concepts and confidence levels of the copied GraphSense files", () => {
    expect(TAXONOMY_IDS.concept!.size).toBe(93);
    const broader = Object.fromEntries(Object.entries(CONCEPT_BROADER).map(([k, v]) => [k, v ?? ""]));
    expect(broader).toEqual(CONCEPTS_CSV);
    expect({ ...CONFIDENCE_LEVELS }).toEqual(CONFIDENCE_CSV);
    expect([...TAXONOMY_IDS.tag_type!]).toEqual(["actor", "event", "attribute", "mention"]);
  });

  it("finds what graphsense-lib refuses: foreign keys, numbers as text, unknown concepts, YAML 1.1 booleans", () => {
    const tag = `- address: ${A}\n  label: x\n`;
    expect(graphSenseErrors(`${HEAD}label: l\ntags:\n${tag}`)).toEqual([]);
    expect(graphSenseErrors(`${HEAD}program: SDGT\ntags:\n${tag}`)).toEqual([
      "header: field program is not a TagPack field",
    ]);
    expect(graphSenseErrors(`${HEAD}tags:\n${tag}  reference: r\n`)).toEqual([
      "tag #1: field reference is not a TagPack tag field",
    ]);
    expect(graphSenseErrors(`${HEAD}confidence: 55\ntags:\n${tag}`)).toEqual([
      "header: field confidence must be text, found a number (55)",
    ]);
    expect(graphSenseErrors(`${HEAD}tags:\n- address: ${A}\n  label: yes\n`)).toEqual([
      "tag #1: field label must be text, found a boolean (true)",
    ]);
    expect(graphSenseErrors(`${HEAD}tags:\n- address: ${A}\n  label: 2021-01-01\n`)[0]).toMatch(
      /field label must be text, found a date/,
    );
    expect(graphSenseErrors(`${HEAD}tags:\n${tag}  category: something_else\n`)).toEqual([
      'tag #1: category "something_else" is not in the GraphSense concept taxonomy',
    ]);
    // y, n and 1e3 are strings for PyYAML (not for every YAML 1.1 reader)
    expect(
      graphSenseErrors(`${HEAD}tags:\n- address: ${A}\n  label: y\n- address: ${B}\n  label: 1e3\n`),
    ).toEqual([]);
  });
});

describe("TagPack import as GraphSense reads it", () => {
  it("reads an inline header: block, whose values win over top-level keys", () => {
    const ds = parseTagPack(
      `header:\n  title: Inline\n  creator: Agency\n  currency: BTC\n  label: from header\n  source: s\n  category: scam\nlabel: top level\ntags:\n- address: ${A}\n- address: ${B}\n  label: own\n`,
    );
    expect(ds.dataset).toBe("tagpack:Inline (Agency)");
    expect(ds.labels.map((l) => [l.address, l.label, l.category, l.source])).toEqual([
      [A, "from header", "scam", "s"],
      [B, "own", "scam", "s"],
    ]);
  });

  it("resolves header: !include as the tagpack tool does: the deepest folder that has it, up to the pack root", async () => {
    const root = join(dir, "repo", "packs");
    mkdirSync(join(root, "2021", "01", "special"), { recursive: true });
    writeFileSync(
      join(root, "header.yaml"),
      "title: Included\ncreator: Agency I\ncurrency: BTC\nsource: https://example.org/i\nabuse: ransomware\nlabel: top\n",
    );
    writeFileSync(
      join(root, "2021", "01", "header.yaml"),
      "title: Special\ncreator: Agency I\ncurrency: BTC\nsource: s\nlabel: deeper\n",
    );
    const pack = `header: !include ./header.yaml\nlastmod: 2020-01-03\ntags:\n- address: ${A}\n`;
    writeFileSync(join(root, "2021", "pack.yaml"), pack);
    writeFileSync(join(root, "2021", "01", "special", "pack.yaml"), pack);
    const top = await readTagPackFile(join(root, "2021", "pack.yaml"));
    expect(top.dataset).toBe("tagpack:Included (Agency I)");
    expect(top.labels[0]).toMatchObject({
      label: "top",
      category: "ransomware",
      source: "https://example.org/i",
    });
    const deep = await readTagPackFile(join(root, "2021", "01", "special", "pack.yaml"));
    expect(deep.dataset).toBe("tagpack:Special (Agency I)");
    expect(deep.labels[0]?.label).toBe("deeper");
  });

  it("never reads outside the pack's folder tree, and never from bytes sent over the API", async () => {
    const root = join(dir, "safe", "packs");
    mkdirSync(join(root, "x"), { recursive: true });
    writeFileSync(join(dir, "safe", "secret.yaml"), "title: secret\ncreator: x\n");
    const write = (name: string, include: string) => {
      writeFileSync(join(root, "x", name), `header: !include ${include}\ntags:\n- address: ${A}\n`);
      return join(root, "x", name);
    };
    await expect(readTagPackFile(write("up.yaml", "../../secret.yaml"))).rejects.toThrow(
      /!include \.\.\/\.\.\/secret\.yaml: leaves the pack's folder tree/,
    );
    await expect(readTagPackFile(write("abs.yaml", join(dir, "safe", "secret.yaml")))).rejects.toThrow(
      /an absolute path is not allowed/,
    );
    symlinkSync(join(dir, "safe", "secret.yaml"), join(root, "x", "link.yaml"));
    await expect(readTagPackFile(write("ln.yaml", "link.yaml"))).rejects.toThrow(
      /links outside the pack's folder tree/,
    );
    await expect(readTagPackFile(write("none.yaml", "missing.yaml"))).rejects.toThrow(
      /!include missing\.yaml: not found in .* or its parent folders up to/,
    );
    const s = await testServices("include-bytes");
    try {
      await expect(
        s.labels.importBytes(readFileSync(join(root, "x", "up.yaml")), "up.yaml", "tagpack"),
      ).rejects.toThrow(/includes are resolved only for a pack read from a file/);
    } finally {
      s.close();
    }
  });

  it("is strict about types: a quoted boolean, an empty label, a control character are refused with the tag's line", () => {
    const refused = (tags: string) => {
      try {
        parseTagPack(`${HEAD}label: l\ntags:\n${tags}`, { sourceFile: "p.yaml" });
        return "accepted";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(refused(`- address: ${A}\n- address: ${B}\n  is_cluster_definer: "true"\n`)).toBe(
      'p.yaml is not a valid GraphSense TagPack (1 problem): tag at line 8: field is_cluster_definer must be a boolean (true/false), found a string ("true")',
    );
    expect(refused(`- address: ${A}\n  label: "  "\n`)).toMatch(/tag at line 7: field label is empty/);
    expect(refused(`- address: ${A}\n  label: "bell\\a"\n`)).toMatch(
      /tag at line 7: field label contains the control character U\+0007/,
    );
    expect(refused(`- address: ${A}\n  label: ""\n- address: ${B}\n  confidence: bogus\n`)).toMatch(
      /\(2 problems\): tag at line 7: field label is empty; tag at line 9: confidence "bogus" is not a GraphSense confidence id/,
    );
    // YAML 1.1: `yes` is a boolean, as for GraphSense
    const ok = parseTagPack(`${HEAD}label: l\nis_cluster_definer: yes\ntags:\n- address: ${A}\n`);
    expect(ok.labels[0]?.clusterDefining).toBe(true);
  });

  it("says how many tags an import skipped and why", async () => {
    const s = await testServices("skips");
    try {
      const r = await s.labels.importBytes(
        Buffer.from(
          `${HEAD}label: l\ntags:\n- address: ${A}\n- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dX\n- tx_hash: ab12\n- address: ${B}\n  currency: XMR2\n- address: 1MFgcyJ7ZNSknbTBRaih6zWDE6V1A64tRYs\n`,
        ),
        "skips.yaml",
      );
      expect(r).toMatchObject({ rows: 1, skipped: 4 });
      expect(r.skippedReasons).toEqual([
        { reason: "invalid bitcoin address: bad base58check checksum", count: 2 },
        { reason: "transaction tag (no address)", count: 1 },
        { reason: "unsupported currency XMR2", count: 1 },
      ]);
      expect(r.skippedSample[0]).toEqual({
        address: "1Archive1n2C579dMsAu3iC6tWzuQJz8dX",
        reason: "line 8: invalid bitcoin address: bad base58check checksum",
      });
    } finally {
      s.close();
    }
  });
});

describe("TagPack export passes the GraphSense schema", () => {
  let s: Services;
  beforeAll(async () => {
    s = await testServices("export-schema");
    await importDefaultLabels(s);
  });
  afterAll(() => s?.close());

  it("every label of the bundled default set (OFAC, NBCTF, 9 exchange packs, EVM explorer labels)", async () => {
    const yaml = await s.labels.export("tagpack");
    const doc = parseYaml(yaml, graphSenseYamlOptions(null)) as { tags: Record<string, unknown>[] };
    expect(doc.tags.length).toBe((await s.labels.list({ limit: 1 })).total);
    expect(graphSenseErrors(yaml)).toEqual([]);
    // program and reference travel in context; networks are GraphSense codes
    const keys = new Set(doc.tags.flatMap((t) => Object.keys(t)));
    expect([...keys].filter((k) => k === "program" || k === "reference")).toEqual([]);
    const networks = new Set(doc.tags.map((t) => t.network));
    expect([...networks].every((n) => Object.values(GRAPHSENSE_NETWORKS).some((g) => g.network === n))).toBe(
      true,
    );
    expect(networks).toEqual(
      new Set([
        "BTC",
        "ETH",
        "TRX",
        "BSC",
        "MATIC",
        "ARB",
        "OP",
        "BASE",
        "AVAX",
        "LTC",
        "ETC",
        "XMR",
        "BCH",
        "DASH",
        "ZEC",
        "XRP",
        "SOL",
        "DOGE",
        "XVG",
        "BNB",
        "BSV",
        "BTG",
      ]),
    );
    const sdgt = doc.tags.find((t) => t.address === "0x21b8d56bda776bbe68655a16895afd96f5534fed");
    expect(sdgt).toMatchObject({ network: "ETH", currency: "ETH", label: "Gaza Now" });
    expect(JSON.parse(String(sdgt!.context))).toMatchObject({ program: "SDGT", reference: "SDN uid 47635" });
  });

  it("labels that YAML 1.1 would misread, odd confidence levels, categories outside the taxonomy, tokens", () => {
    const mk = labelRecord;
    const tricky = [
      "yes",
      "No",
      "on",
      "OFF",
      "y",
      "n",
      "2021-01-01",
      "2024-01-01 10:00:00",
      "1_000",
      "1:30",
      "0b101",
      "017",
      "1e3",
      "~",
      "null",
      "<<",
      "=",
    ];
    const labels = [
      ...tricky.map((label) => mk({ label })),
      mk({ label: "between ids", confidence: 55, category: "old_category" }),
      mk({
        chain: "bsc",
        address: "0x28c6c06298d514db089934071355e5743bf21d60",
        currency: "BEP20",
        label: "bsc",
      }),
      mk({
        chain: "arbitrum",
        address: "0x28c6c06298d514db089934071355e5743bf21d60",
        currency: "USDC",
        label: "arb",
      }),
      mk({
        chain: "optimism",
        address: "0x28c6c06298d514db089934071355e5743bf21d60",
        currency: "OP",
        label: "op",
      }),
    ];
    const yaml = exportTagPack(labels, { title: "yes", creator: "1:30", lastmod: "2024-05-01T10:00:00Z" });
    expect(graphSenseErrors(yaml)).toEqual([]);
    const doc = parseYaml(yaml, graphSenseYamlOptions(null)) as Record<string, any>;
    expect(doc.title).toBe("yes");
    expect(doc.tags.slice(0, tricky.length).map((t: any) => t.label)).toEqual(tricky);
    const odd = doc.tags[tricky.length];
    expect(odd.category).toBeUndefined();
    expect(JSON.parse(odd.context)).toEqual({ category: "old_category", confidence_level: 55 });
    expect(odd.confidence).toBe("authority_data"); // nearest id, ties to the higher level
    expect(doc.tags.slice(-3).map((t: any) => [t.network, t.currency])).toEqual([
      ["BSC", "BNB"],
      ["ARB", "USDC"],
      ["OP", "ETH"],
    ]);
    // and it reads back to the same labels
    const back = parseTagPack(yaml).labels;
    expect(back.map((l) => [l.label, l.confidence])).toEqual(labels.map((l) => [l.label, l.confidence]));
  });

  it("a case's TagPack, shared with another agency", async () => {
    await s.cases.create("shared");
    await s.cases.addWallet("shared", "ethereum", "0x21B8d56BDA776bbE68655A16895afd96F5534feD", {
      label: "on",
      category: "terrorism_financing",
      note: "2024-01-01",
    });
    expect(graphSenseErrors(await s.cases.tagpack("shared"))).toEqual([]);
  });
});
