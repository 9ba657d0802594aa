import { describe, expect, it } from "vitest";
import { formatEvery, parseAlertOn, parseEvery, parseSince } from "../src/services/watch/every.ts";
import { labelCsv, watchServices, watchWorld } from "./helpers/watch.ts";

const terrorLabels = (T: string) => labelCsv([[T, "terrorism_financing", "Terror wallet"]]);

describe("schedules as people write them", () => {
  it("parses intervals with a unit and refuses 0, no unit and unknown units with the reason", () => {
    expect(parseEvery("15m")).toBe(900);
    expect(parseEvery("24h")).toBe(86_400);
    expect(parseEvery("2d")).toBe(172_800);
    expect(parseEvery("30s")).toBe(30);
    expect(formatEvery(900)).toBe("15m");
    expect(formatEvery(86_400)).toBe("24h");
    expect(formatEvery(172_800)).toBe("2d");
    expect(formatEvery(90)).toBe("90s");
    expect(() => parseEvery("0")).toThrow('--every must be longer than 0, got "0"');
    expect(() => parseEvery("0m")).toThrow('--every must be longer than 0, got "0m"');
    expect(() => parseEvery("15")).toThrow('--every needs a unit: s, m, h or d (e.g. "15m"); got "15"');
    expect(() => parseEvery("15x")).toThrow(
      '--every: unknown unit "x" in "15x" (use s, m, h or d, e.g. 15m)',
    );
    expect(() => parseEvery("-5m", "every")).toThrow(/^every must be a whole number and a unit/);
    expect(() => parseEvery("400d")).toThrow("--every must be at most 366d");
  });

  it("reads --since as a date, a time or a duration back, and categories from the taxonomy", () => {
    const now = new Date("2026-03-01T12:00:00Z");
    expect(parseSince("24h", now).toISOString()).toBe("2026-02-28T12:00:00.000Z");
    expect(parseSince("2026-02-01", now).toISOString()).toBe("2026-02-01T00:00:00.000Z");
    expect(parseSince("2026-02-01T08:30:00", now).toISOString()).toBe("2026-02-01T08:30:00.000Z");
    expect(() => parseSince("yesterday", now)).toThrow(/--since must be an ISO date or time/);
    expect(parseAlertOn(["sanction", " Terrorism_Financing ", "sanction"])).toEqual([
      "sanction",
      "terrorism_financing",
    ]);
    expect(() => parseAlertOn(["sanctions"])).toThrow("--alert-on: unknown category sanctions");
  });
});

describe("trigger (a): a saved query's rerun", () => {
  it("alerts once on a new terror-financing endpoint, then on a larger amount there, never twice", async () => {
    const w = watchWorld("watch-rerun");
    const { s } = await watchServices(w.chain);
    await s.labels.importBytes(terrorLabels(w.T), "terror.csv", "csv");
    await s.queries.save("customer-out", { chain: "bitcoin", addresses: [w.W], maxHops: 3 });
    await s.watch.scheduleQuery("customer-out", { every: 900 });
    const baseline = await s.watch.runQuery("customer-out");
    expect(baseline.alerts).toEqual([]);

    const t3 = w.payTerror(250_000n);
    const second = await s.watch.runQuery("customer-out");
    expect(second.alerts).toHaveLength(1);
    const a = await s.watch.alerts.get(second.alerts[0]!);
    expect(a).toMatchObject({
      trigger: "rerun",
      kind: "new_endpoint",
      chain: "bitcoin",
      address: w.W,
      category: "terrorism_financing",
      categories: ["terrorism_financing"],
      endpoint: w.T,
      amount: "250000",
      asset: "BTC",
      symbol: "BTC",
      decimals: 8,
      amountText: "0.00250000 BTC",
      direction: "out",
      path: [t3],
      query: "customer-out",
      run: second.run.id,
      evidence: `/v1/queries/customer-out/runs/${second.run.id}/evidence`,
      labels: [{ label: "Terror wallet" }],
      status: "new",
      delivery: "none",
      deliveries: [],
    });
    expect(a.message).toBe(
      `query "customer-out": funds of ${w.W} reached ${w.T} "Terror wallet" (terrorism_financing): 0.00250000 BTC in 1 hop`,
    );
    expect((await s.watch.runQuery("customer-out")).alerts).toEqual([]);

    const t4 = w.payTerror(100_000n);
    const more = await s.watch.runQuery("customer-out");
    expect(more.alerts).toHaveLength(1);
    expect(await s.watch.alerts.view(more.alerts[0]!)).toMatchObject({
      kind: "larger_amount",
      endpoint: w.T,
      amount: "350000",
      previousAmount: "250000",
      path: [t4],
    });
    expect(await s.watch.alerts.list({ limit: 10 })).toHaveLength(2);
  });

  it("does not alert on categories the query does not alert on", async () => {
    const w = watchWorld("watch-rerun-cats");
    const { s } = await watchServices(w.chain);
    await s.labels.importBytes(labelCsv([[w.T, "exchange", "Some exchange"]]), "x.csv", "csv");
    await s.queries.save("q", { chain: "bitcoin", addresses: [w.W], maxHops: 3 });
    await s.watch.runQuery("q");
    w.payTerror(50_000n);
    expect((await s.watch.runQuery("q")).alerts).toEqual([]);
    await s.watch.scheduleQuery("q", { alertOn: ["exchange"] });
    w.payTerror(60_000n);
    const r = await s.watch.runQuery("q");
    expect((await s.watch.alerts.view(r.alerts[0]!)).category).toBe("exchange");
  });
});

describe("trigger (c): a watched wallet pays a labelled address", () => {
  it("alerts once per transaction, screening only transactions it has not screened", async () => {
    const w = watchWorld("watch-counterparty");
    const { s } = await watchServices(w.chain);
    await s.labels.importBytes(terrorLabels(w.T), "terror.csv", "csv");
    const t3 = w.payTerror(120_000n);
    await s.watch.watchlists.create("book", [
      { chain: "bitcoin", address: w.W },
      { chain: "btc", address: w.D },
    ]);
    const first = await s.watch.runWatchlist("book");
    expect(first).toMatchObject({ watchlist: "book", addresses: 2, notFetched: [] });
    expect(first.fetched).toEqual([{ chain: "bitcoin", addresses: 2, requests: expect.any(Number) }]);
    expect(first.alerts).toHaveLength(1);
    expect(await s.watch.alerts.view(first.alerts[0]!)).toMatchObject({
      trigger: "counterparty",
      kind: "sent",
      address: w.W,
      endpoint: w.T,
      amount: "120000",
      asset: "BTC",
      path: [t3],
      watchlist: "book",
      evidence: `/v1/alerts/${first.alerts[0]}/evidence`,
      message: `watched wallet ${w.W} (watchlist "book") sent 0.00120000 BTC to ${w.T} "Terror wallet" (terrorism_financing) in transaction ${t3}`,
    });
    expect((await s.watch.runWatchlist("book")).alerts).toEqual([]);
    const t4 = w.payTerror(80_000n);
    const again = await s.watch.runWatchlist("book");
    expect(again.alerts).toHaveLength(1);
    expect((await s.watch.alerts.view(again.alerts[0]!)).path).toEqual([t4]);

    const ev = await s.watch.alertEvidence(again.alerts[0]!);
    expect(ev.params).toMatchObject({ chain: "bitcoin", addresses: [w.W] });
    expect(ev.responses.some((r) => r.refs.includes(t4))).toBe(true);
    expect(ev.unsourced).toEqual([]);
  });
});

describe("trigger (b): a label import re-screens against what it changed", () => {
  it("lists: one alert per affected watched wallet and query; delists: a notice; same file again: nothing", async () => {
    const w = watchWorld("watch-relabel");
    const { s } = await watchServices(w.chain);
    await s.watch.watchlists.create("book", [
      { chain: "bitcoin", address: w.W },
      { chain: "bitcoin", address: w.D },
      { chain: "bitcoin", address: w.S },
    ]);
    await s.watch.runWatchlist("book");
    await s.queries.save("customer-out", { chain: "bitcoin", addresses: [w.W], maxHops: 3 });
    const baseline = await s.watch.runQuery("customer-out");
    const elsewhere = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";
    await s.labels.importBytes(
      labelCsv([[elsewhere, "sanction", "Someone else"]], "acme"),
      "acme.csv",
      "csv",
    );
    expect(await s.watch.alerts.list({ limit: 10 })).toEqual([]);

    const v2 = labelCsv(
      [
        [elsewhere, "sanction", "Someone else"],
        [w.C, "sanction", "Listed broker"],
        [w.S, "terrorism_financing", "Listed customer"],
      ],
      "acme",
    );
    await s.labels.importBytes(v2, "acme.csv", "csv");
    const listed = await s.watch.alerts.list({ limit: 10 });
    const by = (a: { address: string; query?: string }) => `${a.query ? `query:${a.query}` : a.address}`;
    expect(listed.map(by).sort()).toEqual(["query:customer-out", w.D, w.S, w.W].sort());
    const wAlert = listed.find((a) => a.address === w.W && !a.query)!;
    expect(wAlert).toMatchObject({
      trigger: "label",
      kind: "listed",
      endpoint: w.C,
      category: "sanction",
      amount: "300000",
      direction: "out",
      path: [w.t1],
      dataset: "csv:acme",
      watchlist: "book",
      transactions: [{ txid: w.t1, direction: "out", asset: "BTC", amount: "300000" }],
      labels: [{ label: "Listed broker", category: "sanction", source: "acme", dataset: "csv:acme" }],
    });
    expect(listed.find((a) => a.address === w.D)).toMatchObject({
      direction: "in",
      amount: "200000",
      path: [w.t2],
    });
    expect(listed.find((a) => a.address === w.S)).toMatchObject({
      kind: "listed",
      endpoint: w.S,
      category: "terrorism_financing",
    });
    expect(listed.find((a) => a.query)).toMatchObject({
      address: w.W,
      endpoint: w.C,
      run: baseline.run.id,
      amount: "300000",
      path: [w.t1],
    });

    await s.labels.importBytes(v2, "acme.csv", "csv");
    // the rerun that now shows the listed broker as an endpoint is the same fact: no second alert
    expect((await s.watch.runQuery("customer-out")).alerts).toEqual([]);
    expect(await s.watch.alerts.list({ limit: 10 })).toHaveLength(4);

    await s.labels.importBytes(
      labelCsv(
        [
          [elsewhere, "sanction", "Someone else"],
          [w.S, "terrorism_financing", "Listed customer"],
        ],
        "acme",
      ),
      "acme.csv",
      // one of three addresses delisted is over the import guard's share: a deliberate replacement
      { format: "csv", force: true },
    );
    const delisted = (await s.watch.alerts.list({ limit: 20 })).filter((a) => a.kind === "delisted");
    expect(delisted.map(by).sort()).toEqual(["query:customer-out", w.D, w.W].sort());
    expect(delisted.find((a) => a.address === w.W && !a.query)?.message).toBe(
      `${w.C} (${w.W} sent 0.00300000 BTC to ${w.C}, 1 transaction) is no longer listed as sanction by csv:acme`,
    );
    expect(await s.watch.pendingLabelChanges()).toEqual([]);
  });

  it("an address another list already gives the category is not newly listed, nor delisted while one still does", async () => {
    const w = watchWorld("watch-relabel-two-lists");
    const { s } = await watchServices(w.chain);
    await s.watch.watchlists.create("book", [{ chain: "bitcoin", address: w.W }]);
    await s.watch.runWatchlist("book");
    await s.labels.importBytes(labelCsv([[w.C, "sanction", "Broker"]], "first"), "first.csv", "csv");
    expect(await s.watch.alerts.list({ limit: 10 })).toHaveLength(1);
    await s.labels.importBytes(labelCsv([[w.C, "sanction", "Broker again"]], "second"), "second.csv", "csv");
    await s.labels.importBytes(labelCsv([[w.T, "exchange", "Unrelated"]], "first"), "first.csv", {
      format: "csv",
      force: true,
    });
    expect(await s.watch.alerts.list({ limit: 10 })).toHaveLength(1);
  });
});
