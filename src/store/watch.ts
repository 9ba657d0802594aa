import { listValue } from "@duckdb/node-api";
import { StoreError } from "../errors.ts";
import type { Store } from "./db.ts";
import { big, int, intOrNull, text, textOrNull, texts } from "./rows.ts";

/** A JS time as the TIMESTAMP text the watch statements take (UTC, milliseconds). */
export function sqlTime(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

export interface WatchlistRow {
  name: string;
  createdAt: string;
  updatedAt: string;
  addresses: number;
}

export const SCHEDULE_KINDS = ["query", "watchlist"] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export interface ScheduleRow {
  kind: ScheduleKind;
  name: string;
  /** null: runs only when asked. */
  everySeconds: number | null;
  alertOn: string[];
  nextRunAt: string | null;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
  lastSummary: string | null;
  runs: number;
  skipped: number;
}

/** Money between a watched wallet and a labelled (or re-labelled) counterparty in one transaction. */
export interface FlowHit {
  chain: string;
  wallet: string;
  counterparty: string;
  txid: string;
  /** out: the wallet paid the counterparty; in: the counterparty paid the wallet. */
  direction: "in" | "out";
  /** null on UTXO chains: the chain's coin. */
  asset: string | null;
  symbol: string | null;
  decimals: number | null;
  amount: bigint;
}

export interface PendingLabelChange {
  id: string;
  dataset: string;
  sourceHash: string | null;
  /** JSON text of the change. */
  change: string;
  error: string | null;
}

function scheduleKind(k: string): ScheduleKind {
  if (k === "query" || k === "watchlist") return k;
  throw new StoreError(`unknown schedule kind "${k}"`);
}

function direction(d: string): "in" | "out" {
  if (d === "in" || d === "out") return d;
  throw new StoreError(`unknown flow direction "${d}"`);
}

function toHit(r: Record<string, unknown>): FlowHit {
  return {
    chain: text(r, "chain"),
    wallet: text(r, "wallet"),
    counterparty: text(r, "counterparty"),
    txid: text(r, "txid"),
    direction: direction(text(r, "direction")),
    asset: textOrNull(r, "asset"),
    symbol: textOrNull(r, "symbol"),
    decimals: intOrNull(r, "decimals"),
    amount: big(r, "amount"),
  };
}

function toSchedule(r: Record<string, unknown>): ScheduleRow {
  const alertOn = text(r, "alert_on");
  return {
    kind: scheduleKind(text(r, "kind")),
    name: text(r, "name"),
    everySeconds: intOrNull(r, "every_seconds"),
    alertOn: alertOn ? alertOn.split(",") : [],
    nextRunAt: textOrNull(r, "next_run_at"),
    lastStartedAt: textOrNull(r, "last_started_at"),
    lastFinishedAt: textOrNull(r, "last_finished_at"),
    lastStatus: textOrNull(r, "last_status"),
    lastError: textOrNull(r, "last_error"),
    lastSummary: textOrNull(r, "last_summary"),
    runs: int(r, "runs"),
    skipped: int(r, "skipped"),
  };
}

/** watchlists, watchlist_addresses, watch_screened, watch_flows, schedules and label_changes. */
export class WatchStore {
  constructor(private readonly store: Store) {}

  async watchlist(name: string): Promise<WatchlistRow | undefined> {
    const r = await this.store.one("watch.watchlist_get", { name });
    return r && toWatchlist(r);
  }

  async watchlists(): Promise<WatchlistRow[]> {
    return (await this.store.all("watch.watchlist_list")).map(toWatchlist);
  }

  /**
   * Creates the watchlist or replaces its addresses, in one transaction. Entries are distinct. What it
   * screened is forgotten: a transaction screened for the old entries may touch a new one.
   */
  async putWatchlist(name: string, items: { chain: string; address: string }[], now: Date): Promise<void> {
    await this.store.tx(async (tx) => {
      await tx.run("watch.watchlist_upsert", { name, now: sqlTime(now) });
      await tx.run("watch.watchlist_clear", { name });
      await tx.run("watch.screened_clear", { name });
      await tx.run("watch.flows_clear", { name });
      await tx.run("watch.watchlist_add", {
        name,
        chains: listValue(items.map((i) => i.chain)),
        addresses: listValue(items.map((i) => i.address)),
      });
    });
  }

  /** The watchlist, its addresses, what it screened and its schedule, in one transaction. */
  async deleteWatchlist(name: string): Promise<void> {
    await this.store.tx(async (tx) => {
      await tx.run("watch.watchlist_clear", { name });
      await tx.run("watch.screened_clear", { name });
      await tx.run("watch.flows_clear", { name });
      await tx.run("watch.schedule_delete", { kind: "watchlist", name });
      await tx.run("watch.watchlist_delete", { name });
    });
  }

  async addresses(name: string): Promise<{ chain: string; address: string }[]> {
    return (await this.store.all("watch.watchlist_addresses", { name })).map((r) => ({
      chain: text(r, "chain"),
      address: text(r, "address"),
    }));
  }

  /** Records the flows of the watchlist's unscreened transactions under `batch`. */
  async recordFlows(watchlist: string, batch: string): Promise<void> {
    await this.store.run("watch.record_flows", { watchlist, batch });
  }

  /** The flows `batch` recorded whose counterparty is labelled in `categories`. */
  async counterpartyHits(
    watchlist: string,
    batch: string,
    categories: string[],
    evmChains: string[],
  ): Promise<(FlowHit & { categories: string[] })[]> {
    const rows = await this.store.all("watch.counterparty_hits", {
      watchlist,
      batch,
      categories: listValue(categories),
      evm: listValue(evmChains),
    });
    return rows.map((r) => ({ ...toHit(r), categories: texts(r, "categories") }));
  }

  async markScreened(watchlist: string): Promise<void> {
    await this.store.run("watch.mark_screened", { watchlist });
  }

  /** Flows between any watched address and these addresses, in the transactions watchlists screened. */
  async labelHits(addresses: string[]): Promise<(FlowHit & { watchlists: string[] })[]> {
    const rows = await this.store.all("watch.label_hits", { addresses: listValue(addresses) });
    return rows.map((r) => ({ ...toHit(r), watchlists: texts(r, "watchlists") }));
  }

  /** Watchlist entries that are one of these addresses (any chain: the caller checks the space). */
  async watchedAmong(addresses: string[]): Promise<{ watchlist: string; chain: string; address: string }[]> {
    return (await this.store.all("watch.watched_among", { addresses: listValue(addresses) })).map((r) => ({
      watchlist: text(r, "watchlist"),
      chain: text(r, "chain"),
      address: text(r, "address"),
    }));
  }

  /** The latest run of each saved query whose trace reached one of these addresses. */
  async runsReaching(addresses: string[]): Promise<{ query: string; runId: string }[]> {
    return (await this.store.all("watch.runs_reaching", { addresses: listValue(addresses) })).map((r) => ({
      query: text(r, "query_name"),
      runId: text(r, "id"),
    }));
  }

  async schedule(kind: ScheduleKind, name: string): Promise<ScheduleRow | undefined> {
    const r = await this.store.one("watch.schedule_get", { kind, name });
    return r && toSchedule(r);
  }

  async schedules(): Promise<ScheduleRow[]> {
    return (await this.store.all("watch.schedule_list")).map(toSchedule);
  }

  async putSchedule(
    kind: ScheduleKind,
    name: string,
    everySeconds: number | null,
    alertOn: string[],
    nextRunAt: Date | null,
  ): Promise<void> {
    await this.store.run("watch.schedule_put", {
      kind,
      name,
      every_seconds: everySeconds,
      alert_on: alertOn.join(","),
      next_run_at: nextRunAt ? sqlTime(nextRunAt) : null,
    });
  }

  async due(now: Date): Promise<{ kind: ScheduleKind; name: string; everySeconds: number }[]> {
    return (await this.store.all("watch.schedule_due", { now: sqlTime(now) })).map((r) => ({
      kind: scheduleKind(text(r, "kind")),
      name: text(r, "name"),
      everySeconds: int(r, "every_seconds"),
    }));
  }

  /** When the next scheduled run is due, if any is scheduled. */
  async nextDue(): Promise<Date | null> {
    const r = await this.store.one("watch.schedule_next");
    const t = r ? textOrNull(r, "next_run_at") : null;
    return t ? new Date(t) : null;
  }

  async started(kind: ScheduleKind, name: string, now: Date): Promise<void> {
    await this.store.run("watch.schedule_started", { kind, name, now: sqlTime(now) });
  }

  async finished(
    kind: ScheduleKind,
    name: string,
    o: {
      now: Date;
      next: Date;
      status: "ok" | "failed";
      error: string | null;
      summary: string;
      skipped: number;
    },
  ): Promise<void> {
    await this.store.run("watch.schedule_finished", {
      kind,
      name,
      now: sqlTime(o.now),
      next_run_at: sqlTime(o.next),
      status: o.status,
      error: o.error,
      summary: o.summary,
      skipped: o.skipped,
    });
  }

  async insertLabelChange(c: {
    id: string;
    dataset: string;
    sourceHash: string | null;
    change: string;
    now: Date;
  }): Promise<void> {
    await this.store.run("watch.label_change_insert", {
      id: c.id,
      dataset: c.dataset,
      source_hash: c.sourceHash,
      change: c.change,
      now: sqlTime(c.now),
    });
  }

  async pendingLabelChanges(): Promise<PendingLabelChange[]> {
    return (await this.store.all("watch.label_change_pending")).map((r) => ({
      id: text(r, "id"),
      dataset: text(r, "dataset"),
      sourceHash: textOrNull(r, "source_hash"),
      change: text(r, "change"),
      error: textOrNull(r, "error"),
    }));
  }

  async labelChangeDone(id: string): Promise<void> {
    await this.store.run("watch.label_change_done", { id });
  }

  async labelChangeFailed(id: string, error: string): Promise<void> {
    await this.store.run("watch.label_change_failed", { id, error });
  }
}

function toWatchlist(r: Record<string, unknown>): WatchlistRow {
  return {
    name: text(r, "name"),
    createdAt: text(r, "created_at"),
    updatedAt: text(r, "updated_at"),
    addresses: int(r, "addresses"),
  };
}
