import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { loadConfig } from "../src/config.ts";
import { createServices } from "../src/services/index.ts";
import { BIN, runBin, runCli } from "./helpers/cli.ts";
import { BINANCE_PACK, KNOWN, NBCTF_CSV, OFAC_XML } from "./helpers/services.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
const db = join(dir, "cli.duckdb");
const base = ["--db", db, "--no-default-labels"];

beforeAll(async () => {
  const r = await runCli([...base, "--json", "labels", "import", OFAC_XML, NBCTF_CSV, BINANCE_PACK]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const imports = JSON.parse(r.stdout).imports;
  expect(imports.map((i: any) => i.dataset)).toEqual([
    "ofac-sdn",
    "nbctf",
    expect.stringMatching(/^tagpack:/),
  ]);
});

describe("CLI", () => {
  it("re-importing the same files changes nothing", async () => {
    const before = JSON.parse(
      (await runCli([...base, "--json", "labels", "list", "--limit", "1"])).stdout,
    ).total;
    const r = await runCli([...base, "--json", "labels", "import", OFAC_XML, NBCTF_CSV]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).imports.every((i: any) => i.unchanged)).toBe(true);
    const after = JSON.parse(
      (await runCli([...base, "--json", "labels", "list", "--limit", "1"])).stdout,
    ).total;
    expect(after).toBe(before);
  });

  it("screens a file of chain,address lines; --json is the API's document", async () => {
    const file = join(dir, "watch.csv");
    writeFileSync(
      file,
      `chain,address\n# comment\nethereum,${KNOWN.sdgtEth}\nbitcoin,${KNOWN.unlabelledBtc}\ntron,${KNOWN.nbctfTron}\n`,
    );
    const text = await runCli([...base, "screen", file]);
    expect(text.code).toBe(3); // a sanctioned row: a nightly job acts on exit 3
    expect(text.stdout).toMatch(
      /ethereum\s+0x21b8d56bda776bbe68655a16895afd96f5534fed\s+YES\s+severe\s+direct label sanction \(100\); direct label terrorism_financing \(100\)\s+sanction,terrorism_financing\s+Gaza Now \[SDGT\]/,
    );
    expect(text.stdout).toMatch(/bitcoin\s+1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\s+no\s+none/);

    const json = await runCli([...base, "--json", "screen", "-"], `ethereum,${KNOWN.sdgtEth}\n`);
    expect(json.code).toBe(3);
    const s = await createServices(loadConfig({ db, defaultLabels: false }, {}));
    try {
      // the same file posted as text/csv
      const api = await createApp(s).request("/v1/screen", {
        method: "POST",
        headers: { "content-type": "text/csv" },
        body: `ethereum,${KNOWN.sdgtEth}\n`,
      });
      expect(JSON.parse(json.stdout)).toEqual(await api.json());
    } finally {
      s.close();
    }
  });

  it("exits 2 naming the address on a bad checksum after screening the other rows, and touches nothing", async () => {
    const before = JSON.parse(
      (await runCli([...base, "--json", "labels", "list", "--limit", "1"])).stdout,
    ).total;
    const r = await runCli(
      [...base, "screen", "-"],
      `bitcoin,${KNOWN.unlabelledBtc}\nethereum,${KNOWN.badChecksumEth}\n`,
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/bitcoin\s+1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\s+no\s+none/);
    expect(r.stdout).toContain(
      `line 2: invalid ethereum address "${KNOWN.badChecksumEth}": bad EIP-55 checksum`,
    );
    expect(r.stderr).toBe("fundtrace: 1 rows not screened (line 2)\n");
    const after = JSON.parse(
      (await runCli([...base, "--json", "labels", "list", "--limit", "1"])).stdout,
    ).total;
    expect(after).toBe(before);
  });

  it("exits 2 on usage errors and unknown options, 0 on --help", async () => {
    expect((await runCli([...base, "screen", "-"], "bitcoin\n")).code).toBe(2);
    expect((await runCli(["--bogus"])).code).toBe(2);
    expect((await runCli([...base, "labels", "import", "--format", "xls", "a"])).code).toBe(2);
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("screen");
  });

  it("shows one address", async () => {
    const r = await runCli([...base, "--json", "address", "tron", KNOWN.nbctfTron]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.labels[0]).toMatchObject({ category: "terrorism_financing", source: "NBCTF ASO 18/26" });
  });

  it("runs as bin/fundtrace right after install (no build step)", { tags: ["slow"] }, async () => {
    const r = await runBin(
      ["--db", db, "--no-default-labels", "screen", "-"],
      {},
      `tron,${KNOWN.nbctfTron}\n`,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("terrorism_financing");
    const bad = await runBin([
      "--db",
      db,
      "--no-default-labels",
      "address",
      "bitcoin",
      "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("bad base58check checksum");
    expect(BIN.endsWith("bin/fundtrace")).toBe(true);
  });
});
