import PQueue from "p-queue";
import type { Logger } from "../../log.ts";
import type { ScheduleKind, WatchStore } from "../../store/watch.ts";
import type { SourceLock, WatchService } from "./index.ts";
import { Ticker } from "./ticker.ts";

export interface SchedulerOptions {
  log?: Logger;
  /** Longest wait between looks at the schedules (a run may be scheduled meanwhile). */
  pollMs?: number;
  /** Deliver webhooks too (default true). */
  deliver?: boolean;
}

export interface RunOutcome {
  kind: ScheduleKind;
  name: string;
  status: "ok" | "failed";
  error: string | null;
  summary: string;
  /** Runs not started because this one was still going when they were due. */
  skipped: number;
  alerts: string[];
}

/**
 * Reruns every scheduled saved query and watchlist when it is due. Runs whose chains use the same
 * upstream source go one at a time (its rate limit holds for all of them); a run due while its
 * previous run is still going is skipped. When each is due lives in the schedules table: a restart
 * resumes, and a run a stop interrupted is due again at once.
 */
export class Scheduler {
  private readonly running = new Map<string, Promise<RunOutcome>>();
  private readonly queues = new Map<string, PQueue>();
  private readonly ticker: Ticker;

  constructor(
    private readonly watch: WatchService,
    private readonly db: WatchStore,
    private readonly o: SchedulerOptions = {},
  ) {
    this.ticker = new Ticker(
      () => this.tick(),
      () => this.db.nextDue(),
      () => this.o.pollMs ?? 5000,
      (e) => this.o.log?.error({ err: String(e) }, "watch: looking at the schedules failed"),
      watch.detach,
    );
  }

  start(): void {
    if (this.ticker.running) return;
    if (this.o.deliver !== false) this.watch.delivery.start();
    this.ticker.start();
  }

  /** Looks at the schedules now. */
  wake(): void {
    this.ticker.wake();
  }

  /** Stops starting runs, waits for those under way, then stops the delivery. */
  async stop(): Promise<void> {
    await this.ticker.stop();
    await Promise.allSettled(this.running.values());
    await this.watch.delivery.stop();
  }

  /** Starts every due run that is not already going; gives back their outcomes to come. */
  async tick(now = new Date()): Promise<Promise<RunOutcome>[]> {
    if ((await this.watch.pendingLabelChanges()).length > 0) await this.watch.processLabelChanges();
    const started: Promise<RunOutcome>[] = [];
    for (const d of await this.db.due(now)) {
      const key = `${d.kind}|${d.name}`;
      if (this.running.has(key)) continue; // counted as skipped when the run under way ends
      const p = this.runOne(d.kind, d.name, d.everySeconds).finally(() => this.running.delete(key));
      this.running.set(key, p);
      started.push(p);
    }
    return started;
  }

  /** `watch --once`: everything due now, run to the end, then one delivery pass. */
  async runDue(): Promise<RunOutcome[]> {
    const outcomes = await Promise.all(await this.tick());
    if (this.o.deliver !== false) await this.watch.delivery.deliverDue();
    return outcomes;
  }

  private readonly lock: SourceLock = (chain, fn) => {
    const key = this.watch.sourceKey(chain);
    let q = this.queues.get(key);
    if (!q) {
      q = new PQueue({ concurrency: 1 });
      this.queues.set(key, q);
    }
    return q.add(fn);
  };

  private async runQuery(name: string): Promise<{ alerts: string[]; summary: string }> {
    const r = await this.watch.runQuery(name, this.lock);
    const n = r.run.endpoints.length;
    return {
      alerts: r.alerts,
      summary: `run ${r.run.id}: ${plural(n, "endpoint")}, ${plural(r.alerts.length, "new alert")}`,
    };
  }

  private async runWatchlist(name: string): Promise<{ alerts: string[]; summary: string }> {
    const r = await this.watch.runWatchlist(name, this.lock);
    const stale = r.notFetched.map((x) => `${x.chain} not fetched (${x.reason})`);
    return {
      alerts: r.alerts,
      summary: [`${r.addresses} addresses screened, ${plural(r.alerts.length, "new alert")}`, ...stale].join(
        "; ",
      ),
    };
  }

  private async runOne(kind: ScheduleKind, name: string, everySeconds: number): Promise<RunOutcome> {
    const start = new Date();
    await this.db.started(kind, name, start);
    this.o.log?.info({ kind, name }, "watch: run started");
    let out: Omit<RunOutcome, "skipped">;
    try {
      const r = kind === "query" ? await this.runQuery(name) : await this.runWatchlist(name);
      out = { kind, name, status: "ok", error: null, ...r };
    } catch (e) {
      out = { kind, name, status: "failed", error: (e as Error).message, alerts: [], summary: "failed" };
    }
    const end = new Date();
    // the next run counts from this one's start; intervals this run overran are skipped, not stacked
    let next = start.getTime() + everySeconds * 1000;
    let skipped = 0;
    while (next <= end.getTime()) {
      next += everySeconds * 1000;
      skipped++;
    }
    await this.db.finished(kind, name, { now: end, next: new Date(next), skipped, ...out });
    const log = { kind, name, summary: out.summary, skipped, ...(out.error ? { err: out.error } : {}) };
    if (out.status === "ok") this.o.log?.info(log, "watch: run finished");
    else this.o.log?.warn(log, "watch: run failed");
    if (out.alerts.length > 0) this.watch.delivery.wake();
    return { ...out, skipped };
  }
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
