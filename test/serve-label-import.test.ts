import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../src/api/server.ts";
import type { Listening } from "../src/listen.ts";
import type { Services } from "../src/services/index.ts";
import { labelParsesRunning } from "../src/services/label-worker.ts";
import { OFAC_XML, testServices } from "./helpers/services.ts";

const ADMIN = "admin-key-0123456789";
let s: Services;
let srv: Listening;

beforeAll(async () => {
  s = await testServices("serve-import");
  srv = await startServer(s, { host: "127.0.0.1", port: 0, apiKeys: [`${ADMIN}:admin`] });
});
afterAll(async () => {
  await srv?.close();
  s?.close();
});

const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
const ofacTotal = async () => {
  const r = await fetch(`${srv.url}/v1/labels?dataset=ofac-sdn&limit=1`, { headers });
  expect(r.status).toBe(200);
  return ((await r.json()) as { total: number }).total;
};

describe("serve during a large label import", { tags: ["slow"] }, () => {
  it("answers GETs over its socket while the OFAC XML is parsed, and they see only committed rows", async () => {
    const importing = fetch(`${srv.url}/v1/labels/import`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        name: basename(OFAC_XML),
        content: readFileSync(OFAC_XML).toString("base64"),
        encoding: "base64",
      }),
    });
    let settled = false;
    void importing.finally(() => {
      settled = true;
    });
    // the server, in this process, has handed the file to its parser thread
    while (labelParsesRunning() === 0 && !settled) await new Promise((r) => setTimeout(r, 5));
    let answeredDuringParse = 0;
    while (labelParsesRunning() > 0) {
      const total = await ofacTotal();
      // counted only when the parse was still under way at the answer: a main-thread parse would
      // hold every answer until it ended
      if (labelParsesRunning() > 0) {
        answeredDuringParse++;
        expect(total).toBe(0);
      }
      if (answeredDuringParse >= 3) break;
    }
    expect(answeredDuringParse).toBe(3);
    const r = await importing;
    expect(r.status).toBe(200);
    const body = (await r.json()) as { dataset: string; rows: number; added: number; removed: number };
    expect(body).toMatchObject({ dataset: "ofac-sdn", rows: 1376, added: 1376, removed: 0 });
    expect(await ofacTotal()).toBe(1376);
  });

  it("a large file that is not a label file is refused from the parser thread as bad input", async () => {
    const r = await fetch(`${srv.url}/v1/labels/import`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "junk.bin", content: "A".repeat(2 * 1024 * 1024) }),
    });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("BAD_INPUT");
    expect(body.error.message).toContain('cannot tell the label format of "junk.bin"');
  });
});
