import { listValue } from "@duckdb/node-api";
import { StoreError } from "../errors.ts";
import type { Store } from "./db.ts";
import { int, intOrNull, text, textOrNull, texts } from "./rows.ts";
import { sqlTime } from "./watch.ts";

export const ALERT_TRIGGERS = ["rerun", "label", "counterparty"] as const;
export type AlertTrigger = (typeof ALERT_TRIGGERS)[number];
export const ALERT_KINDS = [
  "new_endpoint",
  "larger_amount",
  "listed",
  "delisted",
  "sent",
  "received",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_STATUSES = ["new", "acked"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const DELIVERY_STATES = ["none", "pending", "delivered", "failed"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** An alert as the watch writes it: `dedupKey` names its trigger and fact (one alert per fact). */
export interface NewAlert {
  id: string;
  dedupKey: string;
  trigger: AlertTrigger;
  kind: AlertKind;
  /** The wallet the alert is about. */
  chain: string;
  address: string;
  /** The most severe alerted category; `categories` all of them. */
  category: string;
  categories: string[];
  endpoint: string | null;
  amount: bigint | null;
  previousAmount: bigint | null;
  asset: string | null;
  symbol: string | null;
  decimals: number | null;
  direction: "in" | "out" | null;
  /** txids, hop by hop. */
  path: string[] | null;
  query: string | null;
  run: string | null;
  watchlist: string | null;
  /** Labels, dataset, transactions: what the alert rests on (JSON). */
  detail: Record<string, unknown>;
  message: string;
}

export interface AlertRow extends Omit<NewAlert, "dedupKey" | "detail"> {
  detail: Record<string, unknown>;
  createdAt: string;
  status: AlertStatus;
  ackedAt: string | null;
  ackedBy: string | null;
  delivery: DeliveryState;
}

export interface AlertFilter {
  status?: AlertStatus;
  delivery?: DeliveryState;
  trigger?: AlertTrigger;
  since?: Date;
  limit: number;
}

export interface DeliveryRow {
  webhookId: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string;
  deliveredAt: string | null;
}

export interface DueDelivery {
  alertId: string;
  webhookId: string;
  attempts: number;
  url: string;
  secret: string;
}

export interface WebhookRow {
  id: string;
  url: string;
  fingerprint: string;
  createdAt: string;
  pending: number;
  delivered: number;
  failed: number;
  lastError: string | null;
}

function oneOf<T extends string>(values: readonly T[], v: string, what: string): T {
  if ((values as readonly string[]).includes(v)) return v as T;
  throw new StoreError(`unknown ${what} "${v}"`);
}

function bigOrNull(r: Record<string, unknown>, col: string): bigint | null {
  const v = r[col];
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return v;
  throw new StoreError(`column ${col}: expected bigint, got ${typeof v}`);
}

function textsOrNull(r: Record<string, unknown>, col: string): string[] | null {
  return r[col] === null || r[col] === undefined ? null : texts(r, col);
}

function toAlert(r: Record<string, unknown>): AlertRow {
  const dir = textOrNull(r, "direction");
  return {
    id: text(r, "id"),
    trigger: oneOf(ALERT_TRIGGERS, text(r, "trigger"), "alert trigger"),
    kind: oneOf(ALERT_KINDS, text(r, "kind"), "alert kind"),
    chain: text(r, "chain"),
    address: text(r, "address"),
    category: text(r, "category"),
    categories: texts(r, "categories"),
    endpoint: textOrNull(r, "endpoint"),
    amount: bigOrNull(r, "amount"),
    previousAmount: bigOrNull(r, "previous_amount"),
    asset: textOrNull(r, "asset"),
    symbol: textOrNull(r, "symbol"),
    decimals: intOrNull(r, "decimals"),
    direction: dir === null ? null : oneOf(["in", "out"] as const, dir, "direction"),
    path: textsOrNull(r, "path"),
    query: textOrNull(r, "query_name"),
    run: textOrNull(r, "run_id"),
    watchlist: textOrNull(r, "watchlist"),
    detail: JSON.parse(textOrNull(r, "detail") ?? "{}") as Record<string, unknown>,
    message: text(r, "message"),
    createdAt: text(r, "created_at"),
    status: oneOf(ALERT_STATUSES, text(r, "status"), "alert status"),
    ackedAt: textOrNull(r, "acked_at"),
    ackedBy: textOrNull(r, "acked_by"),
    delivery: oneOf(DELIVERY_STATES, text(r, "delivery"), "delivery state"),
  };
}

/** alerts, alert_outbox and webhooks. */
export class AlertStore {
  constructor(private readonly store: Store) {}

  /**
   * Writes the alerts whose fact is new and, in the same transaction, one outbox row per webhook for
   * each: an alert is never written without its deliveries. Returns the ids written.
   */
  async record(alerts: NewAlert[], now: Date): Promise<string[]> {
    if (alerts.length === 0) return [];
    const rows = alerts.map((a) => ({
      id: a.id,
      dedup_key: a.dedupKey,
      trigger: a.trigger,
      kind: a.kind,
      chain: a.chain,
      address: a.address,
      category: a.category,
      categories: a.categories,
      endpoint: a.endpoint,
      amount: a.amount === null ? null : a.amount.toString(),
      previous_amount: a.previousAmount === null ? null : a.previousAmount.toString(),
      asset: a.asset,
      symbol: a.symbol,
      decimals: a.decimals,
      direction: a.direction,
      path: a.path,
      query_name: a.query,
      run_id: a.run,
      watchlist: a.watchlist,
      detail: a.detail,
      message: a.message,
    }));
    return this.store.tx(async (tx) => {
      const at = sqlTime(now);
      const ids = (await tx.all("alerts.insert", { rows: JSON.stringify(rows), now: at })).map((r) =>
        text(r, "id"),
      );
      if (ids.length > 0) await tx.run("alerts.enqueue", { ids: listValue(ids), now: at });
      return ids;
    });
  }

  async list(f: AlertFilter): Promise<AlertRow[]> {
    const rows = await this.store.all("alerts.list", {
      status: f.status ?? null,
      delivery: f.delivery ?? null,
      trigger: f.trigger ?? null,
      since: f.since ? sqlTime(f.since) : null,
      limit: BigInt(f.limit),
    });
    return rows.map(toAlert);
  }

  async get(id: string): Promise<AlertRow | undefined> {
    const r = await this.store.one("alerts.get", { id });
    return r && toAlert(r);
  }

  async deliveries(id: string): Promise<DeliveryRow[]> {
    return (await this.store.all("alerts.deliveries_of", { id })).map((r) => ({
      webhookId: text(r, "webhook_id"),
      status: oneOf(["pending", "delivered", "failed"] as const, text(r, "status"), "delivery status"),
      attempts: int(r, "attempts"),
      lastStatus: intOrNull(r, "last_status"),
      lastError: textOrNull(r, "last_error"),
      nextAttemptAt: text(r, "next_attempt_at"),
      deliveredAt: textOrNull(r, "delivered_at"),
    }));
  }

  async ack(id: string, now: Date, by: string): Promise<void> {
    await this.store.run("alerts.ack", { id, now: sqlTime(now), by });
  }

  async due(now: Date, limit: number): Promise<DueDelivery[]> {
    return (await this.store.all("alerts.due", { now: sqlTime(now), limit: BigInt(limit) })).map((r) => ({
      alertId: text(r, "alert_id"),
      webhookId: text(r, "webhook_id"),
      attempts: int(r, "attempts"),
      url: text(r, "url"),
      secret: text(r, "secret"),
    }));
  }

  async nextDue(): Promise<Date | null> {
    const r = await this.store.one("alerts.next_due");
    const t = r ? textOrNull(r, "next_attempt_at") : null;
    return t ? new Date(t) : null;
  }

  /** Records one attempt: delivered, pending again (retry at `next`) or failed for good. */
  async attempted(
    d: { alertId: string; webhookId: string },
    o: {
      status: "delivered" | "pending" | "failed";
      next: Date;
      httpStatus: number | null;
      error: string | null;
      now: Date;
    },
  ): Promise<void> {
    await this.store.run("alerts.attempted", {
      alert_id: d.alertId,
      webhook_id: d.webhookId,
      status: o.status,
      next_attempt_at: sqlTime(o.next),
      last_status: o.httpStatus,
      last_error: o.error,
      now: sqlTime(o.now),
    });
  }

  async insertWebhook(w: { id: string; url: string; secret: string; fingerprint: string; now: Date }) {
    await this.store.run("alerts.webhook_insert", {
      id: w.id,
      url: w.url,
      secret: w.secret,
      fingerprint: w.fingerprint,
      now: sqlTime(w.now),
    });
  }

  async webhooks(): Promise<WebhookRow[]> {
    return (await this.store.all("alerts.webhook_list")).map((r) => ({
      id: text(r, "id"),
      url: text(r, "url"),
      fingerprint: text(r, "fingerprint"),
      createdAt: text(r, "created_at"),
      pending: int(r, "pending"),
      delivered: int(r, "delivered"),
      failed: int(r, "failed"),
      lastError: textOrNull(r, "last_error"),
    }));
  }

  /** The webhook and its deliveries. */
  async deleteWebhook(id: string): Promise<void> {
    await this.store.tx(async (tx) => {
      await tx.run("alerts.webhook_outbox_delete", { id });
      await tx.run("alerts.webhook_delete", { id });
    });
  }
}
