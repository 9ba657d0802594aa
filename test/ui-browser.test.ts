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
import { labelCsv } from "./helpers/watch.ts";
import { until } from "./helpers/webhook.ts";

/**
 * The web UI in a real browser (Debian chromium driven by playwright-core) against `fundtrace serve`
 * on the demo's database: what the trace page draws is what POST /v1/trace answers.
 */
const KEY = "ui-test-key-0123456789";
const VIEWER_KEY = "ui-viewer-key-0123456789";
const dir = tempDir();
let demo: DemoReport;
let open: Served;
let keyed: Served;
/** A server of its own for the alerts test: its watchlist and label import change its database. */
let alerting: Served;
let browser: Browser;

beforeAll(async () => {
  const db = join(dir, "demo.duckdb");
  const run = await runDemo({ db, out: join(dir, "evidence") });
  demo = run.report;
  await run.stop();
  // every other server needs its own file (one DuckDB writer per file)
  const copy = async (name: string) => {
    const to = join(dir, name);
    await copyFile(db, to);
    if (existsSync(`${db}.wal`)) await copyFile(`${db}.wal`, `${to}.wal`);
    return to;
  };
  const [db2, db3] = [await copy("demo-keyed.duckdb"), await copy("demo-alerts.duckdb")];
  [open, keyed, alerting, browser] = await Promise.all([
    serve(["--db", db, "--offline"]),
    serve(["--db", db2, "--offline"], { FUNDTRACE_API_KEYS: `${KEY},${VIEWER_KEY}:viewer` }),
    serve(["--db", db3, "--offline"]),
    launchChromium(),
  ]);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await open?.stop();
  await keyed?.stop();
  await alerting?.stop();
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

interface AlertJson {
  id: string;
  trigger: string;
  chain: string;
  address: string;
  amount?: string;
  decimals?: number | null;
  symbol?: string | null;
  query?: string;
  status: string;
}

async function call<T>(base: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(r.status, `${path}: ${r.status}`).toBe(path === "/v1/watchlists" ? 201 : 200);
  return (await r.json()) as T;
}

/** The wallets of a trace that paid `to` directly (one edge each). */
async function payersOf(base: string, chain: string, addresses: string[], to: string[]) {
  const t = await call<{ edges: { from: string; to: string }[] }>(base, "/v1/trace", {
    chain,
    addresses,
    maxHops: 8,
  });
  return to.map((x) => t.edges.find((e) => e.to === x)!.from);
}

/**
 * Real alerts on the demo's data, through the API a user would call: a watchlist of the wallets
 * that paid the terror-financing addresses (its run raises counterparty alerts), then a newer label
 * list that makes an exchange the vendor paid sanctioned (the re-screen raises label alerts for the
 * watchlist's wallet and the saved query whose latest run reached it).
 */
async function raiseAlerts(base: string): Promise<AlertJson[]> {
  const [terrorPayer, exchangePayer] = await payersOf(base, "bitcoin", demo.bitcoin.cluster.members, [
    DEMO_EXPECTED.btcTerror,
    DEMO_EXPECTED.btcExchangeA,
  ]);
  const [tokenPayer] = await payersOf(
    base,
    demo.token.chain,
    [demo.token.flagged],
    [DEMO_EXPECTED.evmTerror],
  );
  await call(base, "/v1/watchlists", {
    name: "customers",
    items: [
      { chain: "bitcoin", address: terrorPayer },
      { chain: "bitcoin", address: exchangePayer },
      { chain: demo.token.chain, address: tokenPayer },
    ],
  });
  const run = await call<{ alerts: string[] }>(base, "/v1/watchlists/customers/run", {});
  expect(run.alerts).toHaveLength(2);
  const csv = labelCsv([[DEMO_EXPECTED.btcExchangeA, "sanction", "Newly listed exchange"]], "newer list");
  await call(base, "/v1/labels/import", { name: "newer-list.csv", content: csv.toString("utf8") });
  const list = async () => (await call<{ alerts: AlertJson[] }>(base, "/v1/alerts")).alerts;
  await until(async () => (await list()).length === 4, 60_000, "the re-screen's label alerts");
  const alerts = await list();
  expect(alerts.map((a) => [a.trigger, a.address, a.query ?? null]).sort()).toEqual(
    [
      ["counterparty", terrorPayer, null],
      ["counterparty", tokenPayer, null],
      ["label", exchangePayer, null],
      ["label", demo.bitcoin.cluster.members[0], "demo-vendor"],
    ].sort(),
  );
  return alerts;
}

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

  it("a viewer's key running a saved query is told the role it needs, not asked for another key", async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${keyed.url}/ui/queries?name=demo-vendor`);
    const prompt = w.page.locator('[data-testid="key-prompt"][open]');
    await prompt.waitFor({ timeout: 30_000 });
    await w.page.fill("#key-input", VIEWER_KEY);
    await w.page.click('#key-form button[type="submit"]');
    await w.page.locator('[data-testid="run-query"]').click();
    const error = w.page.locator('[data-testid="run-history"] [role="alert"]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toMatch(/this needs the analyst role; this key has the viewer role/);
    expect(await prompt.count()).toBe(0);
    expectClean(w, keyed.url, [/status of 401/, /status of 403/]);
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

  it("the alerts page lists exactly GET /v1/alerts; Acknowledge acknowledges through the API", async () => {
    const alerts = await raiseAlerts(alerting.url);
    const w = await watchedPage(browser);
    await w.page.goto(`${alerting.url}/ui/alerts`);
    const rows = w.page.locator('[data-testid="alert-row"]');
    await rows.first().waitFor({ timeout: 60_000 });
    const shown = () =>
      rows.evaluateAll((rs) =>
        rs.map((r) => [
          (r as HTMLElement).dataset.id,
          (r as HTMLElement).dataset.address,
          (r as HTMLElement).dataset.status,
          r.querySelector('[data-testid="alert-amount"]')?.textContent ?? null,
        ]),
      );
    const expected = (list: AlertJson[]) =>
      list.map((a) => [
        a.id,
        a.address,
        a.status,
        a.amount === undefined ? null : formatAmount(a.amount, a.decimals, a.symbol),
      ]);
    expect(await shown()).toEqual(expected(alerts));
    // the amounts the page shows, from base units: 0.25 BTC and the token's 6 decimals
    expect((await shown()).map((r) => r[3])).toEqual(
      expect.arrayContaining(["0.25000000 BTC", "4000.000000 USDT", "0.80000000 BTC"]),
    );
    const link = w.page.locator(
      `[data-testid="alert-row"][data-id="${alerts[0]!.id}"] a[href^="/ui/address?"]`,
    );
    expect(await link.first().getAttribute("href")).toBe(
      `/ui/address?${new URLSearchParams({ chain: alerts[0]!.chain, address: alerts[0]!.address })}`,
    );

    const target = alerts.find((a) => a.trigger === "counterparty")!;
    const row = w.page.locator(`[data-testid="alert-row"][data-id="${target.id}"]`);
    await row.locator('[data-testid="alert-ack"]').click();
    await w.page.locator(`[data-testid="alert-row"][data-id="${target.id}"][data-status="acked"]`).waitFor();
    expect(await row.locator('[data-testid="alert-ack"]').count()).toBe(0);
    expect((await call<AlertJson>(alerting.url, `/v1/alerts/${target.id}`)).status).toBe("acked");
    await w.page.screenshot({ path: join(ARTIFACTS, "alerts.png"), fullPage: true });

    // the Open filter lists what the API lists as new: everything but the acknowledged one
    await w.page.click('[data-testid="alert-filter"] button[data-status="new"]');
    await w.page
      .locator('[data-testid="alert-filter"] button[data-status="new"][aria-pressed="true"]')
      .waitFor();
    await rows.first().waitFor();
    const open = (await call<{ alerts: AlertJson[] }>(alerting.url, "/v1/alerts?status=new")).alerts;
    expect(open.map((a) => a.id)).toEqual(alerts.filter((a) => a !== target).map((a) => a.id));
    expect(await shown()).toEqual(expected(open));
    expect(new URL(w.page.url()).search).toBe("?status=new");
    expectClean(w, alerting.url);
    await w.page.close();
  });

  it("the alerts page says there are none only when GET /v1/alerts answered an empty list; a failed request is an error", async () => {
    expect((await call<{ alerts: AlertJson[] }>(open.url, "/v1/alerts")).alerts).toEqual([]);
    const none = await watchedPage(browser);
    await none.page.goto(`${open.url}/ui/alerts`);
    const list = none.page.locator('[data-testid="alert-list"]');
    await list.getByText("No alerts.", { exact: true }).waitFor({ timeout: 30_000 });
    expect(await list.locator('[role="alert"]').count()).toBe(0);
    expectClean(none, open.url);
    await none.page.close();

    const w = await watchedPage(browser);
    await w.page.goto(`${keyed.url}/ui/alerts`);
    await w.page.locator('[data-testid="key-prompt"][open]').waitFor({ timeout: 30_000 });
    await w.page.click("#key-cancel");
    const error = w.page.locator('[data-testid="alert-list"] [role="alert"]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toBe("an API key is needed to see this");
    expect(await w.page.locator('[data-testid="alert-list"]').textContent()).not.toMatch(/no .*alerts/i);
    expect(await w.page.locator('[data-testid="alert-row"]').count()).toBe(0);
    await w.page.screenshot({ path: join(ARTIFACTS, "alerts-error.png") });
    expectClean(w, keyed.url, [/status of 401/]);
    await w.page.close();
  });
});
