import { getChain, sameAddressSpace } from "../../chains.ts";
import { formatAmount } from "../../core/amount.ts";
import type { LabelRecord } from "../../domain.ts";
import type { NewAlert } from "../../store/alerts.ts";
import { type AlertDetail, type AlertLabel, alertId } from "./alerts.ts";

/** Most severe first when an alert has to name one category. */
const SEVERITY = ["terrorism_financing", "terrorism", "sanction"];

/** The categories of `cats` an alert is raised for, most severe first (then in `alertOn` order). */
export function alerted(cats: Iterable<string>, alertOn: readonly string[]): string[] {
  const on = new Set(alertOn);
  const hit = [...new Set(cats)].filter((c) => on.has(c));
  const rank = (c: string) => {
    const s = SEVERITY.indexOf(c);
    return s >= 0 ? s : SEVERITY.length + alertOn.indexOf(c);
  };
  return hit.sort((a, b) => rank(a) - rank(b));
}

/** Asset, symbol and decimals of an amount; UTXO rows carry none (the chain's coin, as traces name it). */
export function assetOf(
  chain: string,
  asset: string | null,
  symbol: string | null,
  decimals: number | null,
): { asset: string; symbol: string | null; decimals: number | null } {
  if (asset !== null) return { asset, symbol, decimals };
  const c = getChain(chain);
  return { asset: c.symbol, symbol: c.symbol, decimals: c.decimals };
}

/** Whether an address of chain `a` and one of chain `b` are the same key space (EVM chains share one). */
export function sameSpace(a: string, b: string): boolean {
  return a === b || sameAddressSpace(a).includes(b);
}

/** Space-wide key of an address: EVM addresses count on every EVM chain. */
export function spaceKey(chain: string, address: string): string {
  return `${sameAddressSpace(chain)[0]}\u0000${address}`;
}

export function labelOf(l: LabelRecord & { dataset?: string }): AlertLabel {
  const out: AlertLabel = { label: l.label, category: l.category, source: l.source, program: l.program };
  if (l.dataset) out.dataset = l.dataset;
  return out;
}

/** Distinct labels by name and category, at most 10 (an alert names them; the store holds them all). */
export function someLabels(ls: AlertLabel[]): AlertLabel[] {
  const seen = new Set<string>();
  return ls
    .filter((l) => {
      const k = `${l.label}\u0000${l.category}\u0000${l.source}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .slice(0, 10);
}

/** `"Gaza Now" (sanction, terrorism_financing)`: how a message names an endpoint's labels. */
export function labelText(ls: AlertLabel[], cats: string[]): string {
  const names = [...new Set(ls.map((l) => l.label))].slice(0, 2).map((n) => `"${n}"`);
  return `${names.length ? `${names.join(", ")} ` : ""}(${cats.join(", ")})`;
}

export function amountText(amount: bigint, a: { symbol: string | null; decimals: number | null }): string {
  return formatAmount(amount, a.decimals, a.symbol);
}

type Fields = Omit<NewAlert, "id" | "detail"> & { detail: AlertDetail };

/** An alert with every optional field defaulted; its id comes from its dedup key. */
export function makeAlert(
  f: Partial<Fields> &
    Pick<Fields, "dedupKey" | "trigger" | "kind" | "chain" | "address" | "categories" | "message">,
): NewAlert {
  return {
    id: alertId(f.dedupKey),
    dedupKey: f.dedupKey,
    trigger: f.trigger,
    kind: f.kind,
    chain: f.chain,
    address: f.address,
    category: f.category ?? f.categories[0] ?? "",
    categories: f.categories,
    endpoint: f.endpoint ?? null,
    amount: f.amount ?? null,
    previousAmount: f.previousAmount ?? null,
    asset: f.asset ?? null,
    symbol: f.symbol ?? null,
    decimals: f.decimals ?? null,
    direction: f.direction ?? null,
    path: f.path ?? null,
    query: f.query ?? null,
    run: f.run ?? null,
    watchlist: f.watchlist ?? null,
    detail: f.detail ?? {},
    message: f.message,
  };
}

/** Items by key, in their order. */
export function groupBy<T, K>(items: Iterable<T>, key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}
