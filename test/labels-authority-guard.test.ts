import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/api/app.ts";
import type { Services } from "../src/services/index.ts";
import type { ScreenResult } from "../src/services/screen.ts";
import { fixture } from "./helpers/fixtures.ts";
import { KNOWN, testServices } from "./helpers/services.ts";

const ADMIN = "guard-admin-key-0123456789";
const ANALYST = "guard-analyst-key-0123456789";
const REF_CSV = readFileSync(fixture("labels/ofac/ofac_sdn_digital_currency_addresses.csv"), "utf8");
const MADE_UP = "0x1111111111111111111111111111111111111111";
// the attack of issue 16: an "OFAC list" of one made-up row
const FORGED = `${REF_CSV.split("\n")[0]}\nETH,${MADE_UP},1,Made Up,Entity,SDGT,SDN List,2026-01-01,x,,1\n`;

let s: Services;
let app: ReturnType<typeof createApp>;
let stored: number;
let addresses: number;

beforeAll(async () => {
  s = await testServices("authority-guard");
  app = createApp(s, { apiKeys: [`${ADMIN}:admin`, ANALYST] });
  const r = await importCsv("ofac_sdn_digital_currency_addresses.csv", REF_CSV, ADMIN);
  expect(r.status).toBe(200);
  stored = (await s.labels.list({ dataset: "ofac-sdn", limit: 1 })).total;
  addresses = new Set((await s.labels.all({ dataset: "ofac-sdn" })).map((l) => `${l.chain}|${l.address}`))
    .size;
});
afterAll(() => s.close());

function importCsv(name: string, content: string, key: string, extra: Record<string, unknown> = {}) {
  return app.request("/v1/labels/import", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ name, content, format: "ofac-sdn", ...extra }),
  });
}

const screen = async (address: string) =>
  ((await s.screen.screen([{ chain: "ethereum", address }])).results[0] as ScreenResult | undefined)
    ?.sanctioned;

describe("replacing an authority dataset", () => {
  it("an analyst key cannot replace the OFAC list at all", async () => {
    const r = await importCsv("forged.csv", FORGED, ANALYST, { force: true });
    expect(r.status).toBe(403);
    expect(await screen(KNOWN.sdgtEth)).toBe(true);
  });

  it("an admin's file that would delist nearly all of it is refused, audited, and changes nothing", async () => {
    const r = await importCsv("forged.csv", FORGED, ADMIN);
    expect(r.status).toBe(409);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("CONFLICT");
    expect(body.error.message).toContain(
      `importing forged.csv would remove ${addresses} of the ${addresses} addresses (100%; ${stored} labels removed, 2 added) of the authority dataset "ofac-sdn"`,
    );
    expect(body.error.message).toContain('only with --force (API: "force": true)');
    expect((await s.labels.list({ dataset: "ofac-sdn", limit: 1 })).total).toBe(stored);
    expect(await screen(KNOWN.sdgtEth)).toBe(true);
    expect(await screen(MADE_UP)).toBe(false);
    const [row] = await s.audit.list(1);
    expect(row).toMatchObject({ action: "POST /v1/labels/import", status: 409 });
  });

  it("a small update goes through without force (under 10% of its addresses delisted)", async () => {
    const lines = REF_CSV.trimEnd().split("\n");
    // drop 5 rows other than the SDGT address's
    const kept = lines.filter((l, i) => i === 0 || i > 5 || l.includes(KNOWN.sdgtEth));
    const r = await importCsv("update.csv", `${kept.join("\n")}\n`, ADMIN);
    expect(r.status, await r.clone().text()).toBe(200);
    const body = (await r.json()) as { removed: number; added: number };
    expect(body.added).toBe(0);
    expect(body.removed).toBeGreaterThan(0);
    // five rows, each one or two labels
    expect(body.removed).toBeLessThanOrEqual(10);
    // back to the full list for the next tests
    expect((await importCsv("ofac_sdn_digital_currency_addresses.csv", REF_CSV, ADMIN)).status).toBe(200);
  });

  it("with force an admin replaces it; the audit row holds the counts added and removed", async () => {
    const r = await importCsv("forged.csv", FORGED, ADMIN, { force: true });
    expect(r.status).toBe(200);
    expect(await screen(KNOWN.sdgtEth)).toBe(false);
    expect(await screen(MADE_UP)).toBe(true);
    const [row] = await s.audit.list(1);
    expect(row?.status).toBe(200);
    expect(row?.target).toContain("force");
    // the SDGT row gives two labels: terrorism financing and sanction
    expect(row?.details).toEqual({ labels: { "ofac-sdn": { added: 2, removed: stored } } });
    // restored
    expect(
      (await importCsv("ofac_sdn_digital_currency_addresses.csv", REF_CSV, ADMIN, { force: true })).status,
    ).toBe(200);
    expect(await screen(KNOWN.sdgtEth)).toBe(true);
  });

  it("a file of another format cannot write into the OFAC dataset: a CSV of sanctions is its own dataset", async () => {
    const csv = `chain,address,label,category,source,confidence\nethereum,0x2222222222222222222222222222222222222222,fake,sanction,ofac-sdn,100\n`;
    const r = await app.request("/v1/labels/import", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ name: "ofac-sdn", content: csv, format: "csv" }),
    });
    expect(r.status, await r.clone().text()).toBe(200);
    expect(((await r.json()) as { dataset: string }).dataset).toBe("csv:ofac-sdn");
    expect((await s.labels.list({ dataset: "ofac-sdn", limit: 1 })).total).toBe(stored);
  });
});
