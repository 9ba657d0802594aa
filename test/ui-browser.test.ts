import { existsSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoUiUrls } from "../src/cli/commands/demo.ts";
import { formatAmount } from "../src/core/amount.ts";
import { DEMO_EXPECTED, type DemoReport, runDemo } from "../src/demo/run.ts";
import {
  ARTIFACTS,
  launchChromium,
  type Served,
  serve,
  type Watched,
  watchedPage,
} from "./helpers/browser.ts";
import { tempDir } from "./helpers/tmp.ts";

/**
 * The web UI in a real browser (Debian chromium driven by playwright-core) against `fundtrace serve`
 * on the demo's database: what the trace page draws is what POST /v1/trace answers.
 */
const KEY = "ui-test-key-0123456789";
const dir = tempDir();
let demo: DemoReport;
let open: Served;
let keyed: Served;
let browser: Browser;

beforeAll(async () => {
  const db = join(dir, "demo.duckdb");
  const run = await runDemo({ db, out: join(dir, "evidence") });
  demo = run.report;
  await run.stop();
  // a second server needs its own file (one DuckDB writer per file)
  const db2 = join(dir, "demo-keyed.duckdb");
  await copyFile(db, db2);
  if (existsSync(`${db}.wal`)) await copyFile(`${db}.wal`, `${db2}.wal`);
  [open, keyed, browser] = await Promise.all([
    serve(["--db", db, "--offline"]),
    serve(["--db", db2, "--offline"], { FUNDTRACE_API_KEYS: KEY }),
    launchChromium(),
  ]);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await open?.stop();
  await keyed?.stop();
});

const traceParams = (model: string) => {
  const q = new URLSearchParams({ chain: "bitcoin", hops: "8", model });
  for (const a of demo.bitcoin.cluster.members) q.append("address", a);
  return q;
};

async function apiTrace(model: string) {
  const r = await fetch(`${open.url}/v1/trace`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chain: "bitcoin", addresses: demo.bitcoin.cluster.members, maxHops: 8, model }),
  });
  expect(r.status).toBe(200);
  return (await r.json()) as {
    nodes: { address: string; asset: string }[];
    edges: { from: string; to: string; asset: string }[];
    endpoints: { address: string; amount: string; decimals: number | null; symbol: string | null }[];
  };
}

/** No console error, no uncaught exception, and no request to any other origin. */
function expectClean(w: Watched, origin: string, allowed: RegExp[] = []) {
  expect(w.errors.filter((e) => !allowed.some((a) => a.test(e)))).toEqual([]);
  expect(
    w.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith("blob:") && !u.startsWith("data:")),
  ).toEqual([]);
  expect(w.requests.length).toBeGreaterThan(3);
}

const graph = '[data-testid="trace-graph"][data-state="rendered"]';

describe("web UI in a browser", { tags: ["slow"] }, () => {
  it("the trace page draws exactly the nodes and edges of POST /v1/trace; an endpoint opens its labels", async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${open.url}/ui/trace?${traceParams("haircut")}`);
    const g = w.page.locator(graph);
    await g.waitFor({ timeout: 60_000 });
    const api = await apiTrace("haircut");
    const keys = new Set(api.nodes.map((n) => `${n.address}|${n.asset}`));
    for (const e of api.edges) {
      keys.add(`${e.from}|${e.asset}`);
      keys.add(`${e.to}|${e.asset}`);
    }
    expect(keys.size).toBe(api.nodes.length);
    expect(await g.getAttribute("data-nodes")).toBe(String(api.nodes.length));
    expect(await g.getAttribute("data-edges")).toBe(String(api.edges.length));
    const rows = w.page.locator('[data-testid="endpoint-row"]');
    expect(await rows.count()).toBe(api.endpoints.length);
    await w.page.screenshot({ path: join(ARTIFACTS, "trace.png") });

    await w.page.locator(`[data-testid="endpoint-row"][data-address="${DEMO_EXPECTED.btcTerror}"]`).click();
    const labels = w.page.locator('[data-testid="node-labels"] table');
    await labels.waitFor({ timeout: 30_000 });
    const text = await labels.textContent();
    expect(text).toContain("NBCTF");
    expect(text).toContain("terrorism_financing");
    expect(await w.page.locator('[data-testid="node-details"]').textContent()).toContain(
      DEMO_EXPECTED.btcTerror,
    );
    await w.page.screenshot({ path: join(ARTIFACTS, "trace-endpoint.png") });
    expectClean(w, open.url);
    await w.page.close();
  });

  it("the model switch redraws with the amounts the API gives for that model, and keeps it in the URL", async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${open.url}/ui/trace?${traceParams("haircut")}`);
    await w.page.locator(graph).waitFor({ timeout: 60_000 });
    const shown = async () =>
      Object.fromEntries(
        await w.page
          .locator('[data-testid="endpoint-row"]')
          .evaluateAll((rows) =>
            rows.map((r) => [
              (r as HTMLElement).dataset.address,
              [
                (r as HTMLElement).dataset.amount,
                r.querySelector('[data-testid="endpoint-amount"]')?.textContent,
              ],
            ]),
          ),
      );
    const expected = (r: Awaited<ReturnType<typeof apiTrace>>) =>
      Object.fromEntries(
        r.endpoints.map((e) => [e.address, [e.amount, formatAmount(e.amount, e.decimals, e.symbol)]]),
      );
    const haircut = await shown();
    expect(haircut).toEqual(expected(await apiTrace("haircut")));

    await w.page.click('[data-testid="model-fifo"]');
    await w.page.locator(`${graph}[data-model="fifo"]`).waitFor({ timeout: 60_000 });
    const fifo = await shown();
    expect(fifo).toEqual(expected(await apiTrace("fifo")));
    // the CoinJoin dilutes haircut taint of the cash-out; FIFO follows the coin exactly
    expect(haircut[DEMO_EXPECTED.btcExchangeB]![0]).toBe("12293563");
    expect(fifo[DEMO_EXPECTED.btcExchangeB]![0]).toBe("79985000");
    expect(new URL(w.page.url()).searchParams.get("model")).toBe("fifo");
    expect(await w.page.locator('[data-testid="model-fifo"]').getAttribute("aria-pressed")).toBe("true");
    await w.page.screenshot({ path: join(ARTIFACTS, "trace-fifo.png") });
    expectClean(w, open.url);
    await w.page.close();
  });

  it("with API keys, a 401 shows the key prompt; the key goes in the header only, never a URL or storage", async () => {
    const w = await watchedPage(browser);
    const headers: string[] = [];
    w.page.on("request", (r) => {
      if (r.url().includes("/v1/")) headers.push(r.headers().authorization ?? "");
    });
    await w.page.goto(`${keyed.url}/ui/trace?${traceParams("poison")}`);
    const prompt = w.page.locator('[data-testid="key-prompt"][open]');
    await prompt.waitFor({ timeout: 30_000 });
    await w.page.screenshot({ path: join(ARTIFACTS, "key-prompt.png") });
    await w.page.fill("#key-input", KEY);
    await w.page.click('#key-form button[type="submit"]');
    await w.page.locator(graph).waitFor({ timeout: 60_000 });
    expect(await prompt.count()).toBe(0);
    expect(headers).toContain(`Bearer ${KEY}`);
    expect(w.requests.some((u) => u.includes(KEY))).toBe(false);
    expect(await w.page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    // the browser reports the refused request itself; nothing else may fail
    expectClean(w, keyed.url, [/status of 401/]);
    await w.page.close();
  });

  it("the address, saved-query, case and start pages render without errors", async () => {
    const pages: [string, string, string][] = [
      ["start", "/ui", '[data-testid="start-form"]'],
      [
        "address",
        `/ui/address?chain=bitcoin&address=${demo.bitcoin.flagged}`,
        '[data-testid="exposure"] table',
      ],
      ["queries", "/ui/queries?name=demo-vendor", '[data-testid="run"]'],
      ["cases", "/ui/cases?name=demo", '[data-testid="case-queries"]'],
    ];
    for (const [name, path, ready] of pages) {
      const w = await watchedPage(browser);
      await w.page.goto(`${open.url}${path}`);
      await w.page.locator(ready).first().waitFor({ timeout: 60_000 });
      if (name === "address") {
        await w.page.locator('[data-testid="cluster"]').waitFor({ timeout: 30_000 });
        expect(await w.page.locator('[data-testid="cluster"]').textContent()).toContain(
          "3 addresses of one owner",
        );
      }
      if (name === "queries")
        expect(await w.page.locator('[data-testid="run"]').count()).toBeGreaterThanOrEqual(1);
      await w.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: name !== "start" });
      expectClean(w, open.url);
      await w.page.close();
    }
  });

  it("the web UI addresses the demo prints open working pages", async () => {
    const urls = demoUiUrls(open.url, demo);
    expect(urls).toHaveLength(4);
    for (const url of urls) {
      const w = await watchedPage(browser);
      await w.page.goto(url);
      const ready = url.includes("/ui/trace")
        ? graph
        : url.includes("/ui/address")
          ? '[data-testid="address-labels"], [data-testid="cluster"]'
          : '[data-testid="case-wallets"]';
      await w.page.locator(ready).first().waitFor({ timeout: 60_000 });
      if (url.includes("/ui/trace")) {
        expect(Number(await w.page.locator(graph).getAttribute("data-nodes"))).toBeGreaterThan(2);
        expect(await w.page.locator('[data-testid="endpoint-row"]').count()).toBeGreaterThan(0);
      }
      if (url.includes(`chain=${demo.token.chain}`))
        await w.page.screenshot({ path: join(ARTIFACTS, "trace-token.png") });
      expectClean(w, open.url);
      await w.page.close();
    }
  });

  it("a click through the pages keeps to the origin, and the report downloads as one file", async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${open.url}/ui/address?chain=bitcoin&address=${demo.bitcoin.flagged}`);
    await w.page.click('[data-testid="trace-forward"]');
    await w.page.locator(graph).waitFor({ timeout: 60_000 });
    expect(new URL(w.page.url()).pathname).toBe("/ui/trace");
    const [download] = await Promise.all([
      w.page.waitForEvent("download"),
      w.page.click('[data-testid="export-html"]'),
    ]);
    const file = join(dir, "report.html");
    await download.saveAs(file);
    const { readFile } = await import("node:fs/promises");
    const html = await readFile(file, "utf8");
    expect(html).toContain(demo.bitcoin.flagged);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expectClean(w, open.url);
    await w.page.close();
  });
});
