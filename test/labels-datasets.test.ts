// Issue 17 point 6 (labels never lost or invented) and issue 16's guard on authority datasets.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import type { Services } from "../src/services/index.ts";
import { MAX_REMOVED_SHARE } from "../src/services/labels.ts";
import type { ScreenResult } from "../src/services/screen.ts";
import { runCli } from "./helpers/cli.ts";
import { testServices } from "./helpers/services.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
const OFAC_XML = new URL("../labels/ofac/sdn_advanced_2025-11-19.xml.bz2", import.meta.url).pathname;
const NBCTF_CSV = new URL("../labels/nbctf/il_nbctf_seizure_orders_wallets.csv", import.meta.url).pathname;

// real mainnet addresses (GraphSense Binance reserve wallets, the genesis address, ...)
const BTC = [
  "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo",
  "1Archive1n2C579dMsAu3iC6tWzuQJz8dN",
  "3CTPRyUbCKkByGmAVvDV6ReZXT1WfV3UPd",
  "1NDyJtNTjmwk5xPNhjgAMu4HDHigtobu1s",
  "bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h",
  "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
];

/** A TagPack by `creator` labelling `addresses`, written as DIR/tagpack.yaml (the same name for everyone). */
function agencyPack(folder: string, creator: string, addresses: string[], label = "seized wallet"): string {
  const d = join(dir, folder);
  mkdirSync(d, { recursive: true });
  const file = join(d, "tagpack.yaml");
  writeFileSync(
    file,
    [
      "title: Seizure orders",
      `creator: ${creator}`,
      "currency: BTC",
      "category: terrorism_financing",
      "confidence: authority_data",
      `source: https://example.org/${folder}`,
      "tags:",
      ...addresses.map((a) => `- address: ${a}\n  label: ${label}`),
    ].join("\n"),
  );
  return file;
}

describe("dataset identity comes from the file's content", () => {
  // a store per test: tests run in a random order
  let s: Services;
  beforeEach(async () => {
    s = await testServices("datasets");
  });
  afterEach(() => s?.close());

  it("keeps two agencies' tagpack.yaml files side by side", async () => {
    const a = await s.labels.importFile(agencyPack("agency-a", "Agency A", BTC.slice(0, 3)));
    const b = await s.labels.importFile(agencyPack("agency-b", "Agency B", BTC.slice(2, 5)));
    expect([a.dataset, b.dataset]).toEqual([
      "tagpack:Seizure orders (Agency A)",
      "tagpack:Seizure orders (Agency B)",
    ]);
    expect(b).toMatchObject({ added: 3, removed: 0, previousRows: 0 });
    // the shared address carries both agencies' labels; nothing of A's pack was lost
    const shared = await s.labels.forAddress("bitcoin", BTC[2]!);
    expect(shared.map((l) => l.source).sort()).toEqual([
      "https://example.org/agency-a",
      "https://example.org/agency-b",
    ]);
    expect((await s.labels.list({ dataset: a.dataset })).total).toBe(3);
  });

  it("a new edition replaces only the same publisher's dataset and says what it removed", async () => {
    await s.labels.importFile(agencyPack("agency-a", "Agency A", BTC.slice(0, 3)));
    const v1 = BTC;
    const file = agencyPack("agency-c", "Agency C", v1);
    const first = await s.labels.importFile(file);
    expect(first).toMatchObject({ added: v1.length, removed: 0 });
    // one address of six delisted (17%): over the 10% an import removes without --force
    const next = agencyPack("agency-c2", "Agency C", v1.slice(1));
    await expect(s.labels.importFile(next)).rejects.toThrow(
      'importing tagpack.yaml would remove 1 of the 6 addresses (16.7%; 1 labels removed, 0 added) of the dataset "tagpack:Seizure orders (Agency C)"',
    );
    expect((await s.labels.list({ dataset: first.dataset })).total).toBe(6);
    const r = await s.labels.importFile(next, { force: true });
    expect(r).toMatchObject({
      dataset: "tagpack:Seizure orders (Agency C)",
      added: 0,
      removed: 1,
      removedAddresses: 1,
      previousRows: 6,
      removedSample: [
        { chain: "bitcoin", address: BTC[0], label: "seized wallet", category: "terrorism_financing" },
      ],
    });
    // other publishers' labels on the same address are untouched
    expect((await s.labels.forAddress("bitcoin", BTC[0]!)).map((l) => l.source)).toEqual([
      "https://example.org/agency-a",
    ]);
  });

  it("a second part of a multi-file pack (same title and creator) is refused, not merged over the first", async () => {
    const part0 = agencyPack("parts/0", "Agency D", BTC.slice(0, 3), "part");
    const part1 = agencyPack("parts/1", "Agency D", BTC.slice(3, 6), "part");
    await s.labels.importFile(part0);
    await expect(s.labels.importFile(part1)).rejects.toThrow(
      /would remove 3 of the 3 addresses.*--dataset NAME/,
    );
    const r = await s.labels.importFile(part1, { dataset: "agency-d part 1" });
    expect(r).toMatchObject({ dataset: "agency-d part 1", added: 3, removed: 0 });
    expect((await s.labels.list({ dataset: "tagpack:Seizure orders (Agency D)" })).total).toBe(3);
  });

  it("refuses a dataset name held by another format or a publication", async () => {
    await s.labels.importFile(agencyPack("agency-a", "Agency A", BTC.slice(0, 3)));
    const pack = agencyPack("agency-e", "Agency E", BTC.slice(0, 1));
    await expect(s.labels.importFile(pack, { dataset: "ofac-sdn" })).rejects.toThrow(
      'dataset "ofac-sdn" is the ofac-sdn publication\'s; a tagpack file cannot use it',
    );
    const csv = Buffer.from(`chain,address,label,category,source\nbitcoin,${BTC[0]},x,scam,agency e\n`);
    await expect(
      s.labels.importBytes(csv, "e.csv", { format: "csv", dataset: "tagpack:Seizure orders (Agency A)" }),
    ).rejects.toThrow(/holds tagpack labels .* a csv file cannot replace them/);
  });

  it("refuses a category outside the taxonomy, listing the valid ones", async () => {
    const bytes = Buffer.from(
      `title: T\ncreator: C\ncurrency: BTC\nsource: s\nlabel: x\ntags:\n- address: ${BTC[0]}\n  category: crypto launderer\n`,
    );
    await expect(s.labels.importBytes(bytes, "t.yaml")).rejects.toThrow(
      /tag at line 7: category "crypto launderer" is not in the GraphSense concept taxonomy\. Valid categories: abuse, account_hack, /,
    );
    await expect(s.cases.create("cat-case")).resolves.toBeDefined();
    await expect(
      s.cases.addWallet("cat-case", "bitcoin", BTC[0]!, { category: "launderer" }),
    ).rejects.toThrow(/valid categories: abuse, account_hack/);
  });
});

describe("authority datasets are replaced only by a plausible file of their format (issue 16)", () => {
  let a: Services;
  beforeAll(async () => {
    a = await testServices("authority");
    const r = await a.labels.importFile(OFAC_XML);
    expect(r).toMatchObject({ dataset: "ofac-sdn", authority: true, rows: 1376, added: 1376, removed: 0 });
  });
  afterAll(() => a?.close());

  const oneRowOfac = Buffer.from(
    "currency,address,sdn_uid,sdn_name,programs\nETH,0x000000000000000000000000000000000000dEaD,1,Made Up,SDGT\n",
  );

  it("refuses a one-row OFAC file that would delist the list, naming the counts; nothing changes", async () => {
    const before = (await a.labels.list({ dataset: "ofac-sdn", limit: 1 })).total;
    await expect(a.labels.importBytes(oneRowOfac, "sdn.csv", "ofac-sdn")).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(
        /^importing sdn\.csv would remove 748 of the 748 addresses \(100%; 1376 labels removed, 2 added\) of the authority dataset "ofac-sdn" \(1376 labels on 748 addresses, from sdn_advanced_2025-11-19\.xml\.bz2 of \d{4}-\d\d-\d\dT[\d:]+Z\)\. More than 10% of a dataset is removed only with --force/,
      ),
    });
    expect((await a.labels.list({ dataset: "ofac-sdn", limit: 1 })).total).toBe(before);
    const made = await a.screen.screen([
      { chain: "ethereum", address: "0x000000000000000000000000000000000000dEaD" },
    ]);
    expect((made.results[0] as ScreenResult | undefined)?.sanctioned).toBe(false);
    expect(MAX_REMOVED_SHARE).toBe(0.1);
  });

  it("takes no file of another format, and no empty file even with force", async () => {
    const tagpack = Buffer.from(
      "title: OFAC\ncreator: someone\ncurrency: BTC\nsource: s\nlabel: x\ntags:\n- address: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\n",
    );
    await expect(a.labels.importBytes(tagpack, "x.yaml", { dataset: "ofac-sdn" })).rejects.toThrow(
      /is the ofac-sdn publication's; a tagpack file cannot use it/,
    );
    const empty = Buffer.from("currency,address,sdn_uid,sdn_name,programs\n");
    await expect(
      a.labels.importBytes(empty, "empty.csv", { format: "ofac-sdn", force: true }),
    ).rejects.toThrow(
      /empty\.csv holds no usable ofac-sdn labels: it cannot replace the authority dataset "ofac-sdn"/,
    );
  });

  it("over the API: 409 without force, the counts with force (an admin's decision)", {
    tags: ["slow"],
  }, async () => {
    const app = createApp(a);
    const post = (body: object) =>
      app.request("/v1/labels/import", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const body = { name: "sdn.csv", format: "ofac-sdn", content: oneRowOfac.toString("utf8") };
    const refused = await post(body);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as any).error.message).toContain("would remove 748 of the 748 addresses");
    const forced = await post({ ...body, force: true });
    expect(forced.status).toBe(200);
    expect(await forced.json()).toMatchObject({
      dataset: "ofac-sdn",
      authority: true,
      rows: 2,
      added: 2,
      removed: 1376,
      removedAddresses: 748,
      previousRows: 1376,
    });
    // and back: the real list is an ordinary new edition of the forced one-row file
    const back = await a.labels.importFile(OFAC_XML, { force: true });
    expect(back).toMatchObject({ added: 1376, removed: 2, removedAddresses: 1 });
  });

  it("guards NBCTF and a dataset marked authority at import the same way", async () => {
    const n = await a.labels.importFile(NBCTF_CSV);
    expect(n).toMatchObject({ dataset: "nbctf", authority: true });
    const head = "order_id,address,address_format,currency_as_published\n";
    await expect(
      a.labels.importBytes(
        Buffer.from(`${head}X 1/1,TV6MuMXfmLbBqPZvBHdwFsDnQeVfnmiuSi,tron,USDT\n`),
        "n.csv",
        "nbctf",
      ),
    ).rejects.toThrow(/of the authority dataset "nbctf"/);

    const pack = (addrs: string[]) =>
      Buffer.from(
        `title: Frozen\ncreator: Agency F\ncurrency: BTC\nsource: s\nlabel: frozen\ncategory: sanction\ntags:\n${addrs.map((x) => `- address: ${x}`).join("\n")}\n`,
      );
    const marked = await a.labels.importBytes(pack(BTC), "f.yaml", { authority: true });
    expect(marked.authority).toBe(true);
    // the mark stays: a later edition without --authority is still guarded, and cannot be emptied
    await expect(a.labels.importBytes(pack(BTC.slice(0, 2)), "f2.yaml")).rejects.toThrow(
      /would remove 4 of the 6 addresses .* of the authority dataset "tagpack:Frozen \(Agency F\)"/,
    );
    const tx = Buffer.from(
      "title: Frozen\ncreator: Agency F\ncurrency: BTC\nsource: s\nlabel: frozen\ntags:\n- tx_hash: ab12\n",
    );
    await expect(a.labels.importBytes(tx, "f3.yaml", { force: true })).rejects.toThrow(
      /holds no usable tagpack labels/,
    );
  });
});

describe("the CLI reports what an import removed and skipped", () => {
  it("names the dataset, the counts and the removed labels; --dataset takes one file", async () => {
    const db = ["--db", join(dir, "cli.duckdb"), "--no-default-labels"];
    const v1 = agencyPack("cli/v1", "Agency G", BTC);
    const v2 = join(dir, "cli", "v2.yaml");
    writeFileSync(
      v2,
      [
        "title: Seizure orders",
        "creator: Agency G",
        "currency: BTC",
        "category: terrorism_financing",
        "confidence: authority_data",
        "source: https://example.org/cli/v1",
        "tags:",
        ...BTC.slice(1).map((a) => `- address: ${a}\n  label: seized wallet`),
        "- address: LQ3B36Yv2rBTxdgAdYpU2UcEZsaNwXeATk\n  label: litecoin wallet\n  currency: XYZ",
      ].join("\n"),
    );
    expect((await runCli([...db, "labels", "import", v1])).code).toBe(0);
    const refused = await runCli([...db, "labels", "import", v2]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'would remove 1 of the 6 addresses (16.7%; 1 labels removed, 0 added) of the dataset "tagpack:Seizure orders (Agency G)"',
    );
    const r = await runCli([...db, "labels", "import", "--force", v2]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `v2.yaml: removed 1 of the 6 labels of dataset "tagpack:Seizure orders (Agency G)" (1 addresses no longer in it), e.g. bitcoin ${BTC[0]} "seized wallet" (terrorism_financing)`,
    );
    expect(r.stdout).toContain("v2.yaml: skipped 1: 1 × unsupported currency XYZ");
    const two = await runCli([...db, "labels", "import", "--dataset", "x", v1, v2]);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain("--dataset names the dataset of one file");
  });
});
