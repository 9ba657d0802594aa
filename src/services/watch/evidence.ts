import type { TraceResponse } from "../trace.ts";
import type { Alert } from "./alerts.ts";

/**
 * A transfer alert's fact as a one-hop trace result (wallet → endpoint, or endpoint → wallet for money
 * received), so its evidence package lists the upstream answers that name its transactions and
 * addresses the same way a trace's does.
 */
export function alertTrace(a: Alert & { endpoint: string; amount: string; path: string[] }): TraceResponse {
  const inbound = a.direction === "in";
  const [from, to] = inbound ? [a.endpoint, a.address] : [a.address, a.endpoint];
  const asset = a.asset ?? "";
  const txs =
    a.transactions?.filter((t) => t.direction === (inbound ? "in" : "out") && t.asset === asset) ?? [];
  const amounts = new Map(txs.map((t) => [t.txid, BigInt(t.amount)]));
  const total = BigInt(a.amount);
  // an alert keeps no block per transfer: the package's upstream answers carry them
  const hops = a.path.map((txid) => ({
    txid,
    from,
    to,
    amount: amounts.get(txid) ?? total,
    height: null,
    time: null,
  }));
  const units = { symbol: a.symbol ?? null, decimals: a.decimals ?? null };
  const node = (address: string, start: boolean) => ({
    address,
    asset,
    amount: total,
    hop: start ? 0 : 1,
    labels: start ? [] : (a.labels ?? []).map((l) => l.label),
    categories: start ? [] : a.categories,
    stop: false,
    start,
    expanded: start,
    ...units,
  });
  return {
    chain: a.chain,
    direction: inbound ? "backward" : "forward",
    model: "poison",
    maxHops: 1,
    start: [a.address],
    endpoints: [
      {
        address: a.endpoint,
        labels: (a.labels ?? []).map((l) => l.label),
        categories: a.categories,
        stop: false,
        amount: total,
        asset,
        symbol: a.symbol ?? null,
        decimals: a.decimals ?? null,
        hops: 1,
        direct: total,
        cluster: null,
        paths: hops.map((h) => ({ hops: [h], bottleneck: h.amount })),
        pathsCapped: false,
      },
    ],
    nodes: [node(a.address, true), node(a.endpoint, false)],
    edges: hops.map((h) => ({ ...h, asset, hop: 1, ...units })),
    sources: [],
    stats: {
      addressesVisited: 1,
      addressesReached: 2,
      txsVisited: hops.length,
      truncated: false,
      missing: { txids: [], addresses: [], addressCount: 0 },
      requests: 0,
      rounds: 0,
      gaps: [],
      coverage: {
        complete: false,
        unknown: [],
        notes: ["an alert's own transfers only: nothing was traced beyond them"],
      },
    },
  };
}
