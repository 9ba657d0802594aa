import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createServices } from "../src/services/index.ts";
import { watchServices, watchWorld } from "./helpers/watch.ts";

describe("the scheduler", () => {
  it("runs what is due, one run per source at a time, and does not start a run whose previous is going", async () => {
    const w = watchWorld("sched-source");
    const { s } = await watchServices(w.chain);
    await s.queries.save("q1", { chain: "bitcoin", addresses: [w.W], maxHops: 2 });
    await s.queries.save("q2", { chain: "bitcoin", addresses: [w.D], maxHops: 2 });
    await s.watch.scheduleQuery("q1", { every: 3600 });
    await s.watch.scheduleQuery("q2", { every: 3600 });
    const sch = s.watch.scheduler({ deliver: false });
    const started = await sch.tick();
    expect(started).toHaveLength(2);
    expect(await sch.tick()).toEqual([]);
    const outs = await Promise.all(started);
    expect(outs.map((o) => [o.name, o.status, o.skipped])).toEqual([
      ["q1", "ok", 0],
      ["q2", "ok", 0],
    ]);
    const [r1] = await s.queries.runs("q1");
    const [r2] = await s.queries.runs("q2");
    // both use the one Esplora source: the second started after the first finished
    const span = (r: typeof r1) => [Date.parse(r!.startedAt), Date.parse(r!.finishedAt!)];
    const [a, b] = [span(r1), span(r2)].sort((x, y) => x[0]! - y[0]!);
    expect(b![0]).toBeGreaterThanOrEqual(a![1]!);

    const sched = await s.watch.schedules.get("query", "q1");
    expect(sched).toMatchObject({ every: "1h", runs: 1, skipped: 0, lastRun: { status: "ok", error: null } });
    expect(Date.parse(sched.nextRunAt!) - Date.parse(sched.lastRun!.startedAt!)).toBe(3_600_000);
    expect(sched.lastRun?.summary).toMatch(/^run [0-9a-f-]{36}: 0 endpoints, 0 new alerts$/);
    expect(await sch.tick()).toEqual([]);
  });

  it("skips, and counts, the runs a run overran; the next counts from its start", async () => {
    const w = watchWorld("sched-overrun");
    const { s, server } = await watchServices(w.chain);
    await s.queries.save("slow", { chain: "bitcoin", addresses: [w.W], maxHops: 2 });
    await s.watch.scheduleQuery("slow", { every: 1 });
    server.setLatency(1100); // every upstream answer takes longer than the interval
    const sch = s.watch.scheduler({ deliver: false });
    const [out] = await Promise.all(await sch.tick());
    expect(out!.status).toBe("ok");
    expect(out!.skipped).toBeGreaterThanOrEqual(1);
    const sched = await s.watch.schedules.get("query", "slow");
    expect(sched.skipped).toBe(out!.skipped);
    expect(Date.parse(sched.nextRunAt!)).toBeGreaterThan(Date.parse(sched.lastRun!.finishedAt!));
    expect((Date.parse(sched.nextRunAt!) - Date.parse(sched.lastRun!.startedAt!)) % 1000).toBe(0);
  });

  it("resumes from the database: a run cut off is due at once, a finished one waits for its time", async () => {
    const w = watchWorld("sched-restart");
    const { s, db, server } = await watchServices(w.chain);
    await s.queries.save("done", { chain: "bitcoin", addresses: [w.W], maxHops: 2 });
    await s.watch.watchlists.create("book", [{ chain: "bitcoin", address: w.D }], { every: 86_400 });
    await s.watch.scheduleQuery("done", { every: 3600 });
    const first = s.watch.scheduler({ deliver: false });
    expect((await Promise.all(await first.tick())).map((o) => o.name).sort()).toEqual(["book", "done"]);
    // a third target whose run started and never finished (the process was killed)
    await s.queries.save("cut", { chain: "bitcoin", addresses: [w.C], maxHops: 2 });
    await s.watch.scheduleQuery("cut", { every: 3600 });
    await s.store.run("watch.schedule_started", { kind: "query", name: "cut", now: "2026-01-01 00:00:00" });
    s.close();

    const again = await createServices(
      loadConfig({ db, defaultLabels: false, esploraUrl: server.url }, { FUNDTRACE_RPS: "1000" }),
    );
    try {
      const sch = again.watch.scheduler({ deliver: false });
      const outs = await Promise.all(await sch.tick());
      expect(outs.map((o) => [o.kind, o.name, o.status])).toEqual([["query", "cut", "ok"]]);
      expect(await sch.tick()).toEqual([]);
      expect((await again.watch.schedules.get("watchlist", "book")).runs).toBe(1);
    } finally {
      again.close();
    }
  });
});
