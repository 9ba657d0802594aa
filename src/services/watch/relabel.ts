import { getChain } from "../../chains.ts";
import type { LabelChange } from "../../core/label-change.ts";
import type { LabelRecord } from "../../domain.ts";
import type { NewAlert } from "../../store/alerts.ts";
import type { FlowHit, WatchStore } from "../../store/watch.ts";
import type { LabelService } from "../labels.ts";
import type { QueryService } from "../queries.ts";
import type { TraceResponse } from "../trace.ts";
import type { AlertTransfer } from "./alerts.ts";
import {
  alerted,
  amountText,
  assetOf,
  groupBy,
  labelOf,
  labelText,
  makeAlert,
  sameSpace,
  someLabels,
  spaceKey,
} from "./build.ts";
import { rerunKey } from "./rerun.ts";
import type { ScheduleService } from "./schedules.ts";

/** An address whose alerted categories a label import changed. */
interface Changed {
  chain: string;
  address: string;
  cats: string[];
  labels: LabelRecord[];
}

type Kind = "listed" | "delisted";

export interface RelabelDeps {
  db: WatchStore;
  labels: LabelService;
  queries: QueryService;
  schedules: ScheduleService;
}

/** The added (or removed) labels by address, in the categories anyone alerts on. */
function byAddress(ls: readonly LabelRecord[], any: Set<string>): Map<string, Changed> {
  const out = new Map<string, Changed>();
  for (const l of ls) {
    if (!any.has(l.category)) continue;
    const k = spaceKey(l.chain, l.address);
    const c = out.get(k) ?? { chain: l.chain, address: l.address, cats: [], labels: [] };
    if (!c.cats.includes(l.category)) c.cats.push(l.category);
    c.labels.push(l);
    out.set(k, c);
  }
  return out;
}

/**
 * What the import really changed: an added category is new only if no other dataset already gives the
 * address that category; a removed one is a delisting only if no label left gives it.
 */
async function effective(labels: LabelService, change: LabelChange, any: Set<string>) {
  const listed = byAddress(change.added, any);
  const delisted = byAddress(change.removed, any);
  const current = new Map<string, (LabelRecord & { dataset?: string })[]>();
  for (const [chain, cs] of groupBy([...listed.values(), ...delisted.values()], (c) => c.chain))
    for (const [a, ls] of await labels.forAddresses(
      chain,
      cs.map((c) => c.address),
    ))
      current.set(spaceKey(chain, a), ls);
  const keep = (set: Map<string, Changed>, still: (k: string, cat: string) => boolean) => {
    for (const [k, c] of set) {
      c.cats = c.cats.filter((cat) => !still(k, cat));
      if (c.cats.length === 0) set.delete(k);
    }
  };
  // stored labels carry their dataset
  keep(listed, (k, cat) =>
    (current.get(k) ?? []).some((l) => l.category === cat && l.dataset !== change.dataset),
  );
  keep(delisted, (k, cat) => (current.get(k) ?? []).some((l) => l.category === cat));
  return { listed, delisted };
}

/** One path of txids from a start of the trace to `address`, walking edges back. */
export function pathTo(trace: Pick<TraceResponse, "edges" | "start">, address: string): string[] {
  const path: string[] = [];
  const seen = new Set<string>([address]);
  let cur = address;
  while (!trace.start.includes(cur) && path.length < 64) {
    const into = trace.edges.filter((e) => e.to === cur && !seen.has(e.from));
    if (into.length === 0) break;
    const e = into.reduce((a, b) => (b.hop < a.hop ? b : a));
    path.unshift(e.txid);
    seen.add(e.from);
    cur = e.from;
  }
  return path;
}

/** The chosen amount of a wallet's transfers with the address: payments out first, then in; one asset. */
function transferSummary(chain: string, hits: FlowHit[]) {
  const groups = groupBy(hits, (h) => `${h.direction === "out" ? 0 : 1}|${h.asset ?? ""}`);
  const first = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))[0]![1];
  const h0 = first[0]!;
  const a = assetOf(chain, h0.asset, h0.symbol, h0.decimals);
  const transactions: AlertTransfer[] = hits.slice(0, 50).map((h) => ({
    txid: h.txid,
    direction: h.direction,
    asset: assetOf(chain, h.asset, h.symbol, h.decimals).asset,
    amount: h.amount.toString(),
  }));
  return {
    direction: h0.direction,
    amount: first.reduce((s, h) => s + h.amount, 0n),
    ...a,
    path: first.map((h) => h.txid).slice(0, 20),
    transactions,
    count: first.length,
  };
}

/**
 * Trigger (b): a label import made addresses newly listed (sanction, terrorism financing, or whatever a
 * watch alerts on) or delisted them. Re-screens against that change only: watched wallets that are one
 * of those addresses, watched wallets with stored transfers to or from one, and saved queries whose
 * latest run reached one. One alert per affected wallet (or query) and changed address.
 */
export async function relabelAlerts(d: RelabelDeps, change: LabelChange): Promise<NewAlert[]> {
  const cfg = await d.schedules.alertOnAll();
  const { listed, delisted } = await effective(d.labels, change, cfg.any);
  if (listed.size === 0 && delisted.size === 0) return [];
  const sets: [Kind, Map<string, Changed>][] = [
    ["listed", listed],
    ["delisted", delisted],
  ];
  const addresses = [...new Set([...listed.values(), ...delisted.values()].map((c) => c.address))];
  const tag = `label|${change.dataset}|${change.sourceHash ?? "none"}`;
  const by = `by ${change.dataset}`;
  const out: NewAlert[] = [];
  const labelsOf = (c: Changed, cats: string[]) =>
    someLabels(
      c.labels
        .filter((l) => cats.includes(l.category))
        .map((l) => labelOf({ ...l, dataset: change.dataset })),
    );
  const listText = (kind: Kind, c: Changed, cats: string[]) =>
    kind === "listed"
      ? `now listed: ${labelText(labelsOf(c, cats), cats)} ${by}`
      : `no longer listed as ${cats.join(", ")} ${by}`;

  // watched wallets that are a changed address themselves
  const self = groupBy(await d.db.watchedAmong(addresses), (w) => `${w.chain}\u0000${w.address}`);
  for (const entries of self.values()) {
    const w = { ...entries[0]!, watchlists: entries.map((e) => e.watchlist) };
    for (const [kind, set] of sets) {
      const c = set.get(spaceKey(w.chain, w.address));
      const cats = c
        ? alerted(
            c.cats,
            w.watchlists.flatMap((n) => cfg.of("watchlist", n)),
          )
        : [];
      if (!c || cats.length === 0) continue;
      out.push(
        makeAlert({
          dedupKey: `${tag}|${kind}|${w.chain}|${w.address}|self`,
          trigger: "label",
          kind,
          chain: w.chain,
          address: w.address,
          categories: cats,
          endpoint: w.address,
          watchlist: w.watchlists[0]!,
          detail: { labels: labelsOf(c, cats), dataset: change.dataset, sourceHash: change.sourceHash },
          message: `watched wallet ${w.address} (watchlist "${w.watchlists[0]}") is ${listText(kind, c, cats)}`,
        }),
      );
    }
  }

  // watched wallets with transfers to or from a changed address
  const pairs = groupBy(
    await d.db.labelHits(addresses),
    (h) => `${h.chain}\u0000${h.wallet}\u0000${h.counterparty}`,
  );
  for (const hits of pairs.values()) {
    const { chain, wallet, counterparty, watchlists } = hits[0]!;
    for (const [kind, set] of sets) {
      const c = set.get(spaceKey(chain, counterparty));
      if (!c || !sameSpace(c.chain, chain)) continue;
      const cats = alerted(
        c.cats,
        watchlists.flatMap((n) => cfg.of("watchlist", n)),
      );
      if (cats.length === 0) continue;
      const s = transferSummary(chain, hits);
      const flow =
        s.direction === "out"
          ? `${wallet} sent ${amountText(s.amount, s)} to ${counterparty}`
          : `${wallet} received ${amountText(s.amount, s)} from ${counterparty}`;
      const txs = `${s.count} transaction${s.count === 1 ? "" : "s"}`;
      out.push(
        makeAlert({
          dedupKey: `${tag}|${kind}|${chain}|${wallet}|${counterparty}`,
          trigger: "label",
          kind,
          chain,
          address: wallet,
          categories: cats,
          endpoint: counterparty,
          amount: s.amount,
          asset: s.asset,
          symbol: s.symbol,
          decimals: s.decimals,
          direction: s.direction,
          path: s.path,
          watchlist: watchlists[0]!,
          detail: {
            labels: labelsOf(c, cats),
            dataset: change.dataset,
            sourceHash: change.sourceHash,
            transactions: s.transactions,
          },
          message:
            kind === "listed"
              ? `${flow} (${txs}); ${counterparty} is ${listText(kind, c, cats)}`
              : `${counterparty} (${flow}, ${txs}) is ${listText(kind, c, cats)}`,
        }),
      );
    }
  }

  for (const { query, runId } of await d.db.runsReaching(addresses)) {
    const detail = await d.queries.runDetail(query, runId);
    const trace = detail.trace;
    const alertOn = cfg.of("query", query);
    for (const [kind, set] of sets)
      for (const c of set.values()) {
        if (!sameSpace(c.chain, trace.chain)) continue;
        const cats = alerted(c.cats, alertOn);
        if (cats.length === 0) continue;
        const a = queryAlert(trace, query, runId, kind, c, cats);
        if (!a) continue;
        out.push(
          makeAlert({
            ...a,
            dedupKey:
              kind === "listed" ? a.key : `${tag}|delisted|query:${query}|${trace.chain}|${c.address}`,
            trigger: "label",
            kind,
            address: detail.params.addresses[0]!,
            categories: cats,
            query,
            run: runId,
            detail: {
              labels: labelsOf(c, cats),
              dataset: change.dataset,
              sourceHash: change.sourceHash,
              ...(detail.params.addresses.length > 1 ? { wallets: detail.params.addresses } : {}),
            },
            message: `query "${query}": its latest run reached ${c.address} (${a.amountText}), ${listText(kind, c, cats)}`,
          }),
        );
      }
  }
  return out;
}

/** Where a query's latest run met the changed address: a node (listed) or an endpoint (delisted). */
function queryAlert(
  trace: TraceResponse,
  query: string,
  runId: string,
  kind: Kind,
  c: Changed,
  cats: string[],
) {
  const chain = trace.chain;
  const found =
    kind === "listed"
      ? trace.nodes.find((n) => n.address === c.address)
      : trace.endpoints.find((e) => e.address === c.address && e.categories.some((x) => cats.includes(x)));
  if (!found) return undefined;
  const amount = BigInt(String(found.amount));
  const ep = trace.endpoints.find((e) => e.asset === found.asset);
  const native = getChain(chain).symbol === found.asset;
  const a = {
    asset: found.asset,
    symbol: ep?.symbol ?? (native ? found.asset : null),
    decimals: ep?.decimals ?? (native ? getChain(chain).decimals : null),
  };
  return {
    key: rerunKey(query, chain, c.address, found.asset, amount.toString()),
    chain,
    endpoint: c.address,
    amount,
    ...a,
    direction: trace.direction === "backward" ? ("in" as const) : ("out" as const),
    path: pathTo(trace, c.address),
    run: runId,
    amountText: amountText(amount, a),
  };
}
