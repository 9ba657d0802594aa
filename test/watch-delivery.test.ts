import { createHmac } from "node:crypto";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { createApp } from "../src/api/app.ts";
import { createLogger } from "../src/log.ts";
import type { Services } from "../src/services/index.ts";
import { signature } from "../src/services/watch/webhooks.ts";
import { labelCsv, SECRET, watchServices, watchWorld } from "./helpers/watch.ts";
import { startReceiver, until, verify } from "./helpers/webhook.ts";

/** A world where W has paid T (terror-listed) once; running the watchlist raises one alert. */
async function oneAlertWorld(seed: string, env: Record<string, string> = {}) {
  const w = watchWorld(seed);
  const ctx = await watchServices(w.chain, env);
  await ctx.s.labels.importBytes(labelCsv([[w.T, "terrorism_financing", "Terror wallet"]]), "t.csv", "csv");
  const txid = w.payTerror(120_000n);
  await ctx.s.watch.watchlists.create("book", [{ chain: "bitcoin", address: w.W }]);
  return { ...w, ...ctx, txid };
}

async function receiver(answers: (number | "hold")[] = []) {
  const r = await startReceiver(SECRET, answers);
  onTestFinished(() => r.close());
  return r;
}

/** Delivers until nothing is pending (retries are due within milliseconds here). */
async function drain(s: Services) {
  await until(
    async () => {
      await s.watch.delivery.deliverDue();
      return (await s.watch.webhooks.list()).every((w) => w.deliveries.pending === 0);
    },
    20_000,
    "the outbox to drain",
  );
}

describe("webhook delivery", () => {
  it("posts the alert signed; 500 twice then 200: delivered once, after three attempts", async () => {
    const r = await receiver([500, 500, 200]);
    const { s, txid, W, T } = await oneAlertWorld("delivery-retry");
    const hook = await s.watch.webhooks.add(r.url, SECRET);
    const [id] = (await s.watch.runWatchlist("book")).alerts;
    expect((await s.watch.alerts.view(id!)).delivery).toBe("pending");
    await drain(s);

    expect(r.received.map((x) => x.answered)).toEqual([500, 500, 200]);
    expect(r.received.every((x) => x.verified)).toBe(true);
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
    expect(r.acknowledged()).toEqual([id]);
    const body = r.received[0]!.json;
    expect(body).toEqual({
      type: "fundtrace.alert",
      alert: {
        id,
        trigger: "counterparty",
        kind: "sent",
        chain: "bitcoin",
        address: W,
        category: "terrorism_financing",
        categories: ["terrorism_financing"],
        endpoint: T,
        amount: "120000",
        asset: "BTC",
        symbol: "BTC",
        decimals: 8,
        amountText: "0.00120000 BTC",
        direction: "out",
        path: [txid],
        watchlist: "book",
        evidence: `/v1/alerts/${id}/evidence`,
        labels: [
          {
            label: "Terror wallet",
            category: "terrorism_financing",
            source: "test list",
            program: null,
            dataset: "csv:test list",
          },
        ],
        message: `watched wallet ${W} (watchlist "book") sent 0.00120000 BTC to ${T} "Terror wallet" (terrorism_financing) in transaction ${txid}`,
        createdAt: expect.any(String),
      },
    });
    expect(r.received[0]!.headers["x-fundtrace-alert"]).toBe(id);
    const a = await s.watch.alerts.get(id!);
    expect(a.delivery).toBe("delivered");
    expect(a.deliveries).toEqual([
      {
        webhookId: hook.id,
        status: "delivered",
        attempts: 3,
        lastStatus: 200,
        lastError: null,
        deliveredAt: expect.any(String),
      },
    ]);
    expect((await s.watch.webhooks.list())[0]!.deliveries).toEqual({ pending: 0, delivered: 1, failed: 0 });
  });

  it("a 404 is not retried; a receiver that keeps failing is given up after the retries; both are shown as failed", async () => {
    const r404 = await receiver([404]);
    const r503 = await receiver([503, 503, 503, 503]);
    const { s } = await oneAlertWorld("delivery-fail", { FUNDTRACE_WEBHOOK_MAX_RETRIES: "2" });
    const h404 = await s.watch.webhooks.add(r404.url, SECRET);
    const h503 = await s.watch.webhooks.add(r503.url, SECRET);
    const [id] = (await s.watch.runWatchlist("book")).alerts;
    await drain(s);
    expect(r404.received).toHaveLength(1);
    expect(r503.received).toHaveLength(3);
    const a = await s.watch.alerts.get(id!);
    expect(a.delivery).toBe("failed");
    const by = new Map(a.deliveries.map((d) => [d.webhookId, d]));
    expect(by.get(h404.id)).toMatchObject({
      status: "failed",
      attempts: 1,
      lastError: "HTTP 404 after 1 attempt (not retried)",
    });
    expect(by.get(h503.id)).toMatchObject({
      status: "failed",
      attempts: 3,
      lastError: "HTTP 503 after 3 attempts",
    });
    expect((await s.watch.alerts.list({ delivery: "failed", limit: 10 })).map((x) => x.id)).toEqual([id]);
    const listed = await s.watch.webhooks.list();
    expect(listed.find((w) => w.id === h503.id)).toMatchObject({
      deliveries: { pending: 0, delivered: 0, failed: 1 },
      lastError: "HTTP 503 after 3 attempts",
    });
  });

  it("refuses, when it is added, a remote http URL, an unreachable receiver and a short secret; stores nothing", async () => {
    const { s } = await oneAlertWorld("delivery-config");
    const closed = createServer();
    await new Promise<void>((res) => closed.listen(0, "127.0.0.1", res));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((res) => closed.close(() => res()));
    await expect(s.watch.webhooks.add("http://hooks.example.org/x", SECRET)).rejects.toThrow(
      "webhook URL must use https for a remote host (http is allowed for 127.0.0.1, ::1 and localhost only): http://hooks.example.org/x",
    );
    await expect(s.watch.webhooks.add(`http://127.0.0.1:${port}/hook`, SECRET)).rejects.toThrow(
      `cannot reach webhook 127.0.0.1:${port}: connection refused`,
    );
    await expect(s.watch.webhooks.add("https://nowhere.invalid/hook", SECRET)).rejects.toThrow(
      "cannot reach webhook host nowhere.invalid: DNS lookup failed",
    );
    await expect(s.watch.webhooks.add("ftp://127.0.0.1/x", SECRET)).rejects.toThrow(
      "webhook URL must be https:// (got ftp://)",
    );
    const r = await receiver();
    await expect(s.watch.webhooks.add(r.url, "short")).rejects.toThrow(
      "a webhook secret must be at least 16 characters",
    );
    expect(await s.watch.webhooks.list()).toEqual([]);
  });

  it("never shows the secret: not in answers, lists, failures or logs", async () => {
    const r = await receiver([500, 404]);
    const { s, dir } = await oneAlertWorld("delivery-secret");
    const logFile = join(dir, "log.jsonl");
    const fd = openSync(logFile, "w");
    onTestFinished(() => closeSync(fd));
    const scheduler = s.watch.scheduler({ log: createLogger("debug", fd), pollMs: 50 });
    const app = createApp(s);
    const added = await app.request("/v1/webhooks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: r.url, secret: SECRET }),
    });
    expect(added.status).toBe(201);
    const addedText = await added.text();
    const bad = await app.request("/v1/webhooks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "http://example.org/x", secret: SECRET }),
    });
    expect(bad.status).toBe(400);
    // running already: alerts written inside a transaction must still reach the receiver
    scheduler.start();
    await s.watch.runWatchlist("book");
    await until(() => r.received.length === 2, 20_000, "two attempts");
    await until(async () => (await s.watch.alerts.list({ delivery: "failed", limit: 5 })).length === 1);
    await scheduler.stop();
    const texts = [
      addedText,
      await bad.text(),
      await (await app.request("/v1/webhooks")).text(),
      await (await app.request("/v1/alerts")).text(),
      await (await app.request(`/v1/alerts/${r.received[0]!.json.alert.id}`)).text(),
      await (await app.request("/v1/audit")).text(),
      readFileSync(logFile, "utf8"),
    ];
    expect(texts[6]).toContain("alert delivery failed");
    for (const t of texts) expect(t).not.toContain(SECRET);
    expect(JSON.parse(addedText).fingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
  });

  it("signs as documented: HMAC-SHA256 of the timestamp, a dot and the body", () => {
    const body = '{"type":"fundtrace.alert"}';
    const header = signature(SECRET, 1_767_225_600, body);
    const v1 = createHmac("sha256", SECRET).update(`1767225600.${body}`).digest("hex");
    expect(header).toBe(`t=1767225600,v1=${v1}`);
    expect(verify(SECRET, header, body, 1_767_225_600_000)).toBe(true);
    expect(verify(SECRET, header, `${body} `, 1_767_225_600_000)).toBe(false);
    expect(verify(SECRET, header, body, 1_767_225_600_000 + 301_000)).toBe(false);
  });
});
