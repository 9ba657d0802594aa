import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import { loadConfig } from "../src/config.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { parseScreenCsv } from "../src/services/screen-input.ts";
import { runCli } from "./helpers/cli.ts";
import { BINANCE_PACK, KNOWN, NBCTF_CSV, OFAC_XML } from "./helpers/services.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
const db = join(dir, "screen.duckdb");
const base = ["--db", db, "--no-default-labels"];

// A customer file as a bank exports it: its own id and name columns, the address column named
// "wallet", the chain column "network", one row with a bad checksum and one with an unknown chain.
const CUSTOMERS = [
  "customer_id,network,wallet,name",
  `C-001,ethereum,${KNOWN.sdgtEth},"Doe, John"`,
  `C-002,bitcoin,${KNOWN.unlabelledBtc},Jane Roe`,
  `C-003,ethereum,${KNOWN.badChecksumEth},Bad Checksum Ltd`,
  `C-004,bitcoin,${KNOWN.binanceBtc},=HYPERLINK("http://x")`,
  `C-005,dogechain,DBXu2kgc3xtvCUWFcxFE3r9hEYgmuaaCyD,Unknown Chain`,
  `C-006,tron,${KNOWN.nbctfTron},T`,
  "",
].join("\n");
const MAP = ["--chain-col", "network", "--address-col", "wallet"];

let s: Services;
beforeAll(async () => {
  const r = await runCli([...base, "--json", "labels", "import", OFAC_XML, NBCTF_CSV, BINANCE_PACK]);
  expect(r.code).toBe(0);
  s = await createServices(loadConfig({ db, defaultLabels: false }, {}));
});
afterAll(() => s?.close());

describe("screening a customer file", () => {
  it("maps columns, passes the others through, screens every good row and reports each bad row", async () => {
    const file = join(dir, "customers.csv");
    writeFileSync(file, CUSTOMERS);
    const r = await runCli([...base, "--json", "screen", ...MAP, file]);
    expect(r.code).toBe(3); // a sanctioned row
    const out = JSON.parse(r.stdout);
    expect(out.results.map((x: any) => [x.line, x.fields.customer_id, x.error?.code ?? x.risk.band])).toEqual(
      [
        [2, "C-001", "severe"],
        [3, "C-002", "none"],
        [4, "C-003", "INVALID_ADDRESS"],
        [5, "C-004", "none"],
        [6, "C-005", "UNKNOWN_CHAIN"],
        [7, "C-006", "severe"],
      ],
    );
    expect(out.results[0]).toMatchObject({
      chain: "ethereum",
      address: KNOWN.sdgtEth.toLowerCase(),
      fields: { customer_id: "C-001", name: "Doe, John" },
      sanctioned: true,
    });
    expect(out.results[2].error.message).toBe(
      `line 4: invalid ethereum address "${KNOWN.badChecksumEth}": bad EIP-55 checksum`,
    );
    expect(out.summary).toEqual({
      rows: 6,
      screened: 4,
      errors: 2,
      sanctioned: 1,
      bands: { unknown: 0, none: 2, low: 0, medium: 0, high: 0, severe: 2 },
    });
  });

  it("shows the reason for every band in the table", async () => {
    const r = await runCli([...base, "screen", ...MAP, "-"], CUSTOMERS);
    expect(r.code).toBe(3);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^customer_id\s+name\s+chain\s+address\s+sanctioned\s+risk\s+reason\s+categories\s+labels$/,
    );
    expect(lines.find((l) => l.startsWith("C-001"))).toMatch(
      /YES\s+severe\s+direct label sanction \(100\); direct label terrorism_financing \(100\)\s+sanction,terrorism_financing\s+Gaza Now \[SDGT\]/,
    );
    expect(lines.find((l) => l.startsWith("C-002"))).toMatch(/no\s+none\s+no label lists this address/);
    expect(lines.find((l) => l.startsWith("C-004"))).toMatch(
      /no\s+none\s+labelled exchange: no risk category/,
    );
    expect(lines.find((l) => l.startsWith("C-003"))).toMatch(/-\s+ERROR\s+line 4: invalid ethereum address/);
    expect(r.stderr).toBe(
      "fundtrace: 1 of 6 rows need action (1 sanctioned); 2 rows not screened (line 4, line 6)\n",
    );
  });

  it("writes CSV: the file's own columns first, formulas defused, one row per input row", async () => {
    const r = await runCli([...base, "screen", ...MAP, "--format", "csv", "-"], CUSTOMERS);
    expect(r.code).toBe(3);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([
      "customer_id",
      "name",
      "chain",
      "address",
      "sanctioned",
      "risk",
      "score",
      "reason",
      "categories",
      "labels",
      "error",
    ]);
    expect(rows.map((x) => x.customer_id)).toEqual(["C-001", "C-002", "C-003", "C-004", "C-005", "C-006"]);
    expect(rows[0]).toMatchObject({ name: "Doe, John", sanctioned: "true", risk: "severe", score: "100" });
    expect(rows[2]).toMatchObject({
      sanctioned: "",
      risk: "",
      error: expect.stringMatching(/^line 4: invalid/),
    });
    expect(rows[3]!.name).toBe(`'=HYPERLINK("http://x")`);
    expect(rows[5]).toMatchObject({ chain: "tron", categories: "terrorism_financing" });
  });

  it("exits 3 at or above --fail-on, 0 below it; a bad row alone exits 2 after screening the rest", async () => {
    const clean = `id,chain,address\n1,bitcoin,${KNOWN.unlabelledBtc}\n2,bitcoin,${KNOWN.binanceBtc}\n`;
    expect((await runCli([...base, "screen", "--fail-on", "low", "-"], clean)).code).toBe(0);
    const file = `id,chain,address\n1,bitcoin,${KNOWN.unlabelledBtc}\n`;
    const ok = await runCli([...base, "screen", "--fail-on", "severe", "-"], file);
    expect(ok).toMatchObject({ code: 0, stderr: "" });
    // the Binance pack labels "exchange" (score 0): not at "low"; an NBCTF row is severe
    const tron = `id,chain,address\n1,tron,${KNOWN.nbctfTron}\n`;
    const hi = await runCli([...base, "screen", "--fail-on", "high", "-"], tron);
    expect(hi.code).toBe(3);
    const bad = await runCli(
      [...base, "screen", "-"],
      `id,chain,address\n1,bitcoin,x\n2,bitcoin,${KNOWN.unlabelledBtc}\n`,
    );
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/bitcoin\s+1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\s+no\s+none/);
    expect(bad.stderr).toBe("fundtrace: 1 rows not screened (line 2)\n");
    const wrong = await runCli([...base, "screen", "--fail-on", "huge", "-"], file);
    expect(wrong.code).toBe(2);
  });

  it("says which columns are missing, and reads a row with the wrong column count as that row's error", async () => {
    const r = await runCli(
      [...base, "screen", "--address-col", "wallet", "-"],
      `id,chain,address\n1,bitcoin,x\n`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'fundtrace: the header has no column "wallet" (use --address-col); its columns: id, chain, address\n',
    );
    const input = parseScreenCsv(`id;chain;address\n1;bitcoin;a\n2;bitcoin\n# note\n3;"bitcoin;b\n`);
    expect(input.passThrough).toEqual(["id"]);
    expect(input.items).toEqual([{ chain: "bitcoin", address: "a", fields: { id: "1" }, line: 2 }]);
    expect(input.errors.map((e) => e.error.message)).toEqual([
      "line 3: 2 columns, the header has 3",
      expect.stringMatching(/^line 5: not CSV: Quote Not Closed/),
    ]);
  });

  it("reads a file of one chain with --chain, and headerless chain,address lines as before", async () => {
    const one = parseScreenCsv(`wallet,ref\n${KNOWN.unlabelledBtc},A\n`, {
      addressCol: "wallet",
      chain: "bitcoin",
    });
    expect(one.items).toEqual([
      { chain: "bitcoin", address: KNOWN.unlabelledBtc, fields: { ref: "A" }, line: 2 },
    ]);
    const plain = parseScreenCsv(`# watch\nbitcoin,${KNOWN.unlabelledBtc}\n`);
    expect(plain.items).toEqual([{ chain: "bitcoin", address: KNOWN.unlabelledBtc, fields: {}, line: 2 }]);
  });

  it("POST /v1/screen answers a bad item as that item's error and screens the rest, fields passed through", async () => {
    const app = createApp(s);
    const res = await app.request("/v1/screen", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        items: [
          { chain: "ethereum", address: KNOWN.badChecksumEth, fields: { customerId: "C-3" } },
          { chain: "tron", address: KNOWN.nbctfTron, fields: { customerId: "C-6" } },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.results[0]).toEqual({
      chain: "ethereum",
      address: KNOWN.badChecksumEth,
      fields: { customerId: "C-3" },
      error: {
        code: "INVALID_ADDRESS",
        message: `item 1: invalid ethereum address "${KNOWN.badChecksumEth}": bad EIP-55 checksum`,
      },
    });
    expect(body.results[1]).toMatchObject({
      fields: { customerId: "C-6" },
      sanctioned: false,
      risk: { band: "severe" },
    });
    expect(body.summary).toMatchObject({ rows: 2, screened: 1, errors: 1 });
  });

  it("POST /v1/screen takes the customer file itself as text/csv with the column mapping", async () => {
    const app = createApp(s);
    const res = await app.request("/v1/screen?chainCol=network&addressCol=wallet", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: CUSTOMERS,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.results.map((x: any) => x.fields.customer_id)).toEqual([
      "C-001",
      "C-002",
      "C-003",
      "C-004",
      "C-005",
      "C-006",
    ]);
    expect(body.results[4].error.message).toMatch(/^line 6: unknown chain "dogechain"/);
    const missing = await app.request("/v1/screen?addressCol=nope", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: CUSTOMERS,
    });
    expect(missing.status).toBe(400);
  });
});
