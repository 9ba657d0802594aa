import { randomUUID } from "node:crypto";
import PQueue from "p-queue";
import type { RetryPolicy } from "../../../adapters/retry.ts";
import type { ChainSource } from "../../../adapters/source.ts";
import { getChain, sameAddressSpace } from "../../chains.ts";
import type { LabelChange } from "../../core/label-change.ts";
import type { LabelRecord } from "../../domain.ts";
import { NotFoundError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { AlertStore } from "../../store/alerts.ts";
import type { Store } from "../../store/db.ts";
import { WatchStore } from "../../store/watch.ts";
import type { EvidencePackage, EvidenceService } from "../evidence.ts";
import { type IngestService, MAX_INGEST_ADDRESSES } from "../ingest.ts";
import type { LabelService } from "../labels.ts";
import type { QueryRun, QueryService, RunRecord } from "../queries.ts";
import { AlertService } from "./alerts.ts";
import { groupBy, spaceKey } from "./build.ts";
import { counterpartyAlerts } from "./counterparty.ts";
import { Deliverer } from "./delivery.ts";
import { alertTrace } from "./evidence.ts";
import { relabelAlerts } from "./relabel.ts";
import { rerunAlerts } from "./rerun.ts";
import { Scheduler, type SchedulerOptions } from "./scheduler.ts";
import { type Schedule, type ScheduleChange, ScheduleService } from "./schedules.ts";
import { WatchlistService } from "./watchlists.ts";
import { WebhookService } from "./webhooks.ts";

export interface WatchDeps {
  store: Store;
  labels: LabelService;
  queries: QueryService;
  ingest: IngestService;
  evidence: EvidenceService;
  /** The chain's data source; throws, naming why, when there is none (offline, not configured). */
  source: (chain: string) => ChainSource;
  delivery: { retry: RetryPolicy; timeoutMs?: number };
  log?: Logger;
}

/** Runs that use one upstream source go one at a time: `lock(chain, fn)` queues fn behind them. */
export type SourceLock = <T>(chain: string, fn: () => Promise<T>) => Promise<T>;

const direct: SourceLock = (_chain, fn) => fn();

export interface WatchlistRun {
  watchlist: string;
  addresses: number;
  /** Per chain: addresses whose new transactions were fetched, and the upstream requests it took. */
  fetched: { chain: string; addresses: number; requests: number }[];
  /** Per chain: addresses screened on stored data only, and why (never a false clean). */
  notFetched: { chain: string; addresses: number; reason: string }[];
  /** Ids of the alerts this run raised. */
  alerts: string[];
}

/**
 * The watch: watchlists, schedules, the three alert triggers, webhooks and their delivery. It hooks
 * into saved-query runs (trigger a, in the run's own transaction) and label imports (trigger b); a
 * watchlist run is trigger c.
 */
export class WatchService {
  readonly alerts: AlertService;
  readonly webhooks: WebhookService;
  readonly schedules: ScheduleService;
  readonly watchlists: WatchlistService;
  readonly delivery: Deliverer;
  private readonly db: WatchStore;
  /** Alerts each query run's hook raised, by run id, until the caller takes them. */
  private readonly runAlerts = new Map<string, string[]>();
  /** Label changes are re-screened one at a time, in order. */
  private readonly relabelling = new PQueue({ concurrency: 1 });
  private active: Scheduler | undefined;

  constructor(private readonly d: WatchDeps) {
    this.db = new WatchStore(d.store);
    const alertDb = new AlertStore(d.store);
    this.alerts = new AlertService(alertDb);
    this.webhooks = new WebhookService(alertDb);
    this.schedules = new ScheduleService(this.db);
    this.watchlists = new WatchlistService(this.db, this.schedules);
    this.delivery = new Deliverer(alertDb, this.alerts, { ...d.delivery, log: d.log, detach: this.detach });
    d.queries.onRun((r) => this.queryRan(r));
    d.labels.onImport(
      (c) => this.labelsImported(c),
      async () => (await this.schedules.alertOnAll()).any,
    );
  }

  /** Sets a saved query's interval and/or alert categories. */
  async scheduleQuery(name: string, c: ScheduleChange): Promise<Schedule> {
    await this.d.queries.get(name);
    return this.changed(await this.schedules.set("query", name, c));
  }

  async scheduleWatchlist(name: string, c: ScheduleChange): Promise<Schedule> {
    await this.watchlists.exists(name);
    return this.changed(await this.schedules.set("watchlist", name, c));
  }

  /** Runs fn outside any store transaction its caller is in. */
  readonly detach = <T>(fn: () => T): T => this.d.store.detached(fn);

  private changed<T>(v: T): T {
    this.active?.wake();
    return v;
  }

  /** Upstream a chain's requests go to: runs on one of them go one at a time. */
  sourceKey(chain: string): string {
    try {
      return this.d.source(chain).id;
    } catch {
      return `stored:${chain}`;
    }
  }

  /** Reruns a saved query (new transactions fetched first); its alerts are written with the run. */
  async runQuery(name: string, lock: SourceLock = direct): Promise<{ run: QueryRun; alerts: string[] }> {
    const q = await this.d.queries.get(name);
    const run = await lock(q.params.chain, () => this.d.queries.run(name));
    const alerts = this.runAlerts.get(run.id) ?? [];
    this.runAlerts.delete(run.id);
    if (alerts.length > 0) this.delivery.wake();
    return { run, alerts };
  }

  /** Fetches what is new for the watchlist's addresses, then screens the transactions not screened yet. */
  async runWatchlist(name: string, lock: SourceLock = direct): Promise<WatchlistRun> {
    await this.watchlists.exists(name);
    const items = await this.db.addresses(name);
    const byChain = groupBy(items, (i) => i.chain);
    const run: WatchlistRun = {
      watchlist: name,
      addresses: items.length,
      fetched: [],
      notFetched: [],
      alerts: [],
    };
    for (const [chain, entries] of byChain) {
      const addrs = entries.map((e) => e.address);
      const skip = (reason: string) => run.notFetched.push({ chain, addresses: addrs.length, reason });
      if (getChain(chain).labelOnly) {
        skip("labels only: no adapter ingests this chain yet");
        continue;
      }
      try {
        this.d.source(chain);
      } catch (e) {
        skip((e as Error).message);
        continue;
      }
      try {
        const requests = await lock(chain, async () => {
          let n = 0;
          for (let i = 0; i < addrs.length; i += MAX_INGEST_ADDRESSES)
            n += (await this.d.ingest.ingest(chain, addrs.slice(i, i + MAX_INGEST_ADDRESSES))).requests;
          return n;
        });
        run.fetched.push({ chain, addresses: addrs.length, requests });
      } catch (e) {
        skip(`fetching failed: ${(e as Error).message}`);
      }
    }
    run.alerts = await this.screenWatchlist(name);
    if (run.alerts.length > 0) this.delivery.wake();
    return run;
  }

  /**
   * Trigger (c) over stored data: the flows of the transactions not screened yet are recorded (label
   * changes are later re-screened against them), those to or from labelled addresses raise alerts;
   * flows, alerts and screened marks land in one transaction.
   */
  private async screenWatchlist(name: string): Promise<string[]> {
    const alertOn = await this.schedules.alertOn("watchlist", name);
    const batch = randomUUID();
    return this.d.store.tx(async () => {
      await this.db.recordFlows(name, batch);
      const hits = await this.db.counterpartyHits(name, batch, alertOn, sameAddressSpace("ethereum"));
      const labels = await this.labelsOf(hits.map((h) => ({ chain: h.chain, address: h.counterparty })));
      const ids = await this.alerts.record(counterpartyAlerts(name, hits, labels, alertOn));
      await this.db.markScreened(name);
      return ids;
    });
  }

  private async labelsOf(items: { chain: string; address: string }[]): Promise<Map<string, LabelRecord[]>> {
    const byChain = new Map<string, Set<string>>();
    for (const i of items) byChain.set(i.chain, (byChain.get(i.chain) ?? new Set()).add(i.address));
    const out = new Map<string, LabelRecord[]>();
    for (const [chain, addrs] of byChain)
      for (const [a, ls] of await this.d.labels.forAddresses(chain, [...addrs]))
        out.set(spaceKey(chain, a), ls);
    return out;
  }

  /** Trigger (a), inside the transaction that stores the run. */
  private async queryRan(r: RunRecord): Promise<void> {
    const alertOn = await this.schedules.alertOn("query", r.run.query);
    this.runAlerts.set(r.run.id, await this.alerts.record(rerunAlerts(r, alertOn)));
  }

  /**
   * Trigger (b), after an import committed: the change (in categories anyone alerts on) is kept until
   * it has been re-screened, so a failure or a stop leaves it for the next try.
   */
  private async labelsImported(change: LabelChange): Promise<void> {
    const { any } = await this.schedules.alertOnAll();
    const keep = (ls: LabelRecord[]) => ls.filter((l) => any.has(l.category));
    const c: LabelChange = { ...change, added: keep(change.added), removed: keep(change.removed) };
    if (c.added.length === 0 && c.removed.length === 0) return;
    const watched = (await this.db.watchlists()).length > 0 || (await this.d.queries.list()).length > 0;
    if (!watched) return;
    await this.db.insertLabelChange({
      id: randomUUID(),
      dataset: c.dataset,
      sourceHash: c.sourceHash,
      change: JSON.stringify(c),
      now: new Date(),
    });
    await this.processLabelChanges();
  }

  /** Re-screens every pending label change, oldest first; returns the alerts raised. */
  async processLabelChanges(): Promise<string[]> {
    return this.relabelling.add(async () => {
      const raised: string[] = [];
      for (const p of await this.db.pendingLabelChanges()) {
        try {
          const alerts = await relabelAlerts(
            { db: this.db, labels: this.d.labels, queries: this.d.queries, schedules: this.schedules },
            JSON.parse(p.change) as LabelChange,
          );
          await this.d.store.tx(async () => {
            raised.push(...(await this.alerts.record(alerts)));
            await this.db.labelChangeDone(p.id);
          });
          if (raised.length > 0) this.delivery.wake();
        } catch (e) {
          const message = (e as Error).message;
          this.d.log?.error({ dataset: p.dataset, err: message }, "re-screening a label change failed");
          await this.db.labelChangeFailed(p.id, message).catch(() => undefined);
        }
      }
      return raised;
    });
  }

  /** Label changes not re-screened yet (with the last error, if one failed). */
  async pendingLabelChanges(): Promise<{ dataset: string; error: string | null }[]> {
    return (await this.db.pendingLabelChanges()).map((p) => ({ dataset: p.dataset, error: p.error }));
  }

  /** The evidence package an alert rests on: its query run's, or one over its transactions. */
  async alertEvidence(id: string): Promise<EvidencePackage> {
    const a = await this.alerts.view(id);
    if (a.query && a.run) return this.d.evidence.forRun(await this.d.queries.runDetail(a.query, a.run));
    const { endpoint, amount, path } = a;
    if (!endpoint || amount === undefined || !path?.length)
      throw new NotFoundError(
        `alert ${id} rests on a label (dataset ${a.dataset ?? "unknown"}), not on transactions: it has no evidence package`,
      );
    const trace = alertTrace({ ...a, endpoint, amount, path });
    return this.d.evidence.build({ chain: a.chain, addresses: [a.address], maxHops: 1 }, trace);
  }

  /** A scheduler over this watch (serve and `fundtrace watch` run one). */
  scheduler(o: SchedulerOptions = {}): Scheduler {
    const s = new Scheduler(this, this.db, { log: this.d.log, ...o });
    if (o.log) this.delivery.useLog(o.log);
    this.active = s;
    return s;
  }
}

export type { Schedule, ScheduleChange };
