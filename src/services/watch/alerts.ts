import { createHash } from "node:crypto";
import { formatAmount } from "../../core/amount.ts";
import { NotFoundError } from "../../errors.ts";
import type {
  AlertFilter,
  AlertKind,
  AlertRow,
  AlertStatus,
  AlertStore,
  AlertTrigger,
  DeliveryRow,
  DeliveryState,
  NewAlert,
} from "../../store/alerts.ts";

export type { AlertKind, AlertStatus, AlertTrigger, DeliveryState, NewAlert };

/** A label an alert rests on (the endpoint's or counterparty's, or the one an import added or removed). */
export interface AlertLabel {
  label: string;
  category?: string;
  source?: string;
  dataset?: string;
  program?: string | null;
}

/** One transfer between the wallet and the endpoint (label alerts list every one the store holds). */
export interface AlertTransfer {
  txid: string;
  direction: "in" | "out";
  asset: string;
  amount: string;
}

/** What `detail` holds, by trigger: the labels, the import, the transfers, the query's wallets. */
export interface AlertDetail {
  labels?: AlertLabel[];
  dataset?: string;
  sourceHash?: string | null;
  transactions?: AlertTransfer[];
  wallets?: string[];
  hops?: number;
  [k: string]: unknown;
}

/** An alert as the API, the CLI (--json) and a webhook body show it. Amounts are base-unit strings. */
export interface Alert {
  id: string;
  trigger: AlertTrigger;
  kind: AlertKind;
  chain: string;
  /** The wallet the alert is about. */
  address: string;
  category: string;
  categories: string[];
  endpoint?: string;
  amount?: string;
  previousAmount?: string;
  asset?: string;
  symbol?: string | null;
  decimals?: number | null;
  /** The amount for people: "0.25000000 BTC". */
  amountText?: string;
  direction?: "in" | "out";
  path?: string[];
  query?: string;
  run?: string;
  watchlist?: string;
  /** API path of the evidence package the alert rests on. */
  evidence?: string;
  labels?: AlertLabel[];
  dataset?: string;
  transactions?: AlertTransfer[];
  wallets?: string[];
  message: string;
  createdAt: string;
  status: AlertStatus;
  ackedAt?: string;
  delivery: DeliveryState;
}

export interface AlertWithDeliveries extends Alert {
  deliveries: Omit<DeliveryRow, "nextAttemptAt">[];
}

/** Alert ids come from their fact: the same fact always has the same id. */
export function alertId(dedupKey: string): string {
  return createHash("sha256").update(dedupKey).digest("hex").slice(0, 16);
}

/** Where an alert's evidence package is: its query run's, or one built from its transactions. */
function evidencePath(a: AlertRow): string | undefined {
  if (a.query && a.run)
    return `/v1/queries/${encodeURIComponent(a.query)}/runs/${encodeURIComponent(a.run)}/evidence`;
  if (a.path && a.path.length > 0) return `/v1/alerts/${a.id}/evidence`;
  return undefined;
}

export function alertView(a: AlertRow): Alert {
  const d = a.detail as AlertDetail;
  const v: Alert = {
    id: a.id,
    trigger: a.trigger,
    kind: a.kind,
    chain: a.chain,
    address: a.address,
    category: a.category,
    categories: a.categories,
    message: a.message,
    createdAt: a.createdAt,
    status: a.status,
    delivery: a.delivery,
  };
  if (a.endpoint !== null) v.endpoint = a.endpoint;
  if (a.amount !== null) {
    v.amount = a.amount.toString();
    v.asset = a.asset ?? undefined;
    v.symbol = a.symbol;
    v.decimals = a.decimals;
    v.amountText = formatAmount(a.amount, a.decimals, a.symbol);
  }
  if (a.previousAmount !== null) v.previousAmount = a.previousAmount.toString();
  if (a.direction !== null) v.direction = a.direction;
  if (a.path !== null) v.path = a.path;
  if (a.query !== null) v.query = a.query;
  if (a.run !== null) v.run = a.run;
  if (a.watchlist !== null) v.watchlist = a.watchlist;
  const ev = evidencePath(a);
  if (ev) v.evidence = ev;
  if (d.labels) v.labels = d.labels;
  if (d.dataset) v.dataset = d.dataset;
  if (d.transactions) v.transactions = d.transactions;
  if (d.wallets) v.wallets = d.wallets;
  if (a.ackedAt !== null) v.ackedAt = a.ackedAt;
  return v;
}

/** Alerts as people and webhooks see them. */
export class AlertService {
  constructor(private readonly db: AlertStore) {}

  /**
   * Writes the alerts whose fact is new, each with its outbox rows, in the caller's transaction if
   * there is one (the caller wakes the delivery once it has committed). Returns the ids written.
   */
  async record(alerts: NewAlert[]): Promise<string[]> {
    return this.db.record(alerts, new Date());
  }

  async list(f: AlertFilter): Promise<Alert[]> {
    return (await this.db.list(f)).map(alertView);
  }

  /** The alert alone (what a webhook body carries). */
  async view(id: string): Promise<Alert> {
    const a = await this.db.get(id);
    if (!a) throw new NotFoundError(`no alert ${id}`);
    return alertView(a);
  }

  /** The alert with each webhook's delivery state. */
  async get(id: string): Promise<AlertWithDeliveries> {
    const a = await this.view(id);
    const deliveries = (await this.db.deliveries(id)).map(({ nextAttemptAt: _, ...d }) => d);
    return { ...a, deliveries };
  }

  /** Marks it acknowledged (again: no change); `by` is the API key id or "cli". */
  async ack(id: string, by: string): Promise<AlertWithDeliveries> {
    await this.get(id);
    await this.db.ack(id, new Date(), by);
    return this.get(id);
  }
}
