/**
 * The trace engine: pure (no I/O of its own), rows in (a {@link TraceGraph}), results out. Async only
 * because a store-backed graph names its addresses and transactions through the store.
 *
 * Semantics (SPEC "Tracing semantics"; the per-model rules are in trace-sweep-utxo.ts and
 * trace-sweep-account.ts). Decisions where SPEC is silent:
 *
 * - Start. Forward: every output / successful non-fee transfer ever received by a start address is
 *   pinned fully tainted at hop 0; taint that comes back to it changes nothing (it is already
 *   fully tainted) and is never propagated twice. Backward: every output the start received is
 *   pinned (UTXO; hop 1 is the transaction that created it), every transfer it received is a hop-1
 *   piece at its sender (account). Start addresses are expanded even when labelled, count in
 *   `addressesVisited`, and are never endpoints themselves.
 * - Hops. A transaction's hop is 1 + the fewest hops among the tainted pieces it spends; every
 *   piece it delivers gets that hop; an address's hop is the fewest over the pieces it received.
 *   Pieces with hop > maxHops are not delivered. An address is expanded (its taint followed) when
 *   it was reached with hop < maxHops, is not a stop address and fits the budget.
 * - Budget. Without one the engine expands eagerly in one sweep; when `maxAddresses` would be
 *   exceeded it starts again in rounds: each round expands the unexpanded eligible addresses of the
 *   lowest hop level, biggest taint first (per-asset maximum; assets are not converted; then by
 *   address), and sweeps again, until the budget runs out (`truncated: true`). `maxAddresses` counts
 *   start addresses. (`expansion: "rounds"` forces the round mode; a test checks both modes agree.)
 * - minValue applies per piece (a UTXO output or input, an account transfer) at hop ≥ 1: a piece
 *   whose taint is below it is dropped (treated as clean: not reported, not followed). Pinned
 *   start pieces (hop 0) are never dropped.
 * - Multiple assets never mix: UTXO value is one asset (`utxoAsset`, default BTC); on account
 *   chains ETH and every token are separate flows; endpoints, nodes and edges carry their asset.
 * - Stop. Categories in `stopAt` (default ["exchange"]) or a cluster flagged `isService` make an
 *   address a stop endpoint (`stop: true`): its received taint is reported, never expanded, so a
 *   later spend of those coins is clean. An unlabelled address in a service cluster is a stop
 *   endpoint too (with empty labels and its `cluster`).
 * - Endpoints are per (address, asset). `amount` is the taint received over all pieces, `hops` the
 *   fewest hops, `direct` the part received at hop 1. Paths: up to `maxPathsPerEndpoint` (default
 *   20) routes, widest first (see trace-routes.ts); `pathsCapped` when more may exist. Route search
 *   is bounded (200k best-first steps per trace, 400..4000 per endpoint, fan-in 32 per piece).
 * - Bad parameters (maxHops outside 1..12, negative minValue, ...) throw RangeError; the service
 *   layer maps them to its coded errors (the core imports nothing outside src/core).
 * - Nodes and edges are built only when asked for (`includeGraph`, default true). Edges are
 *   aggregated per (txid, from, to, asset) in money-flow direction (also backward); edge and path
 *   hop amounts are the taint that moved from `from` to `to` in that transaction (UTXO
 *   haircut/poison: an output's taint split over the tainted inputs in proportion to their taint,
 *   largest remainder; fifo: exact interval overlap). Path hops are listed in trace order (hop 1
 *   first), also for backward traces.
 * - Link search (`targets`): only endpoints matching a target category or address are reported,
 *   with their paths, and nodes/edges are restricted to those paths. When targets are addresses
 *   only, a breadth-first search backwards from them (over the hop-limited graph, structural) gives
 *   each address its distance d to a target, and an address at hop h is expanded only when
 *   h + d ≤ maxHops: routes longer than maxHops transactions are pruned (meet in the middle).
 * - UTXO outputs without an address (OP_RETURN, non-standard) end the flow like a fee.
 * - Missing: a tainted output of an expanded address whose spender is not loaded → its txid; whose
 *   spend status was never asked → the address; an expanded account address or a start without
 *   complete history → the address; a backward input whose previous transaction is not loaded →
 *   that txid. Fetch them and run again.
 * - One trace at a time per graph (its scratch arrays are shared): calls queue.
 */
import type { Amount } from "../domain.ts";
import { type GraphNames, type TraceGraph, UNCONFIRMED_ORDER } from "./trace-graph.ts";
import { orderRoutes, searchRoutes } from "./trace-routes.ts";
import {
  type AddressLabels,
  type AddrInfo,
  BudgetExceeded,
  type ClusterInfo,
  type Direction,
  type EngineOptions,
  type Finished,
  type HeightWindow,
  type Model,
  NOHOP,
  type RouteLink,
  TraceState,
  UTXO_ASSET,
} from "./trace-state.ts";
import { AccountSweep, TIMELESS } from "./trace-sweep-account.ts";
import { UtxoSweep } from "./trace-sweep-utxo.ts";

export type { AddressLabels, ClusterInfo, Direction, HeightWindow, Model } from "./trace-state.ts";
export { UNCONFIRMED_ORDER };

export const DEFAULT_MAX_HOPS = 5;
export const MAX_HOPS = 12;
export const DEFAULT_STOP_AT: readonly string[] = ["exchange"];
export const DEFAULT_MAX_PATHS = 20;
/** Total best-first pops spent on route search per trace (spread over the endpoints). */
const PATH_WORK = 200_000;

export interface TraceTargets {
  categories?: readonly string[];
  addresses?: readonly string[];
}

export interface TraceParams {
  /** Start address(es). */
  start: string | readonly string[];
  direction?: Direction;
  model?: Model;
  /** 1..12, default 5. */
  maxHops?: number;
  /** Pieces with less taint are dropped (base units). Default 0. */
  minValue?: Amount;
  /** Default ["exchange"]. */
  stopAt?: readonly string[];
  targets?: TraceTargets;
  /** Budget of expanded addresses (start addresses included). */
  maxAddresses?: number;
  labels?: ReadonlyMap<string, AddressLabels>;
  clusters?: ReadonlyMap<string, ClusterInfo>;
  /** Labels and clusters by graph address id (what a store gives: no strings to look up). */
  labelsById?: ReadonlyMap<number, AddressLabels>;
  clustersById?: ReadonlyMap<number, ClusterInfo>;
  /** Default 20. */
  maxPathsPerEndpoint?: number;
  /** Nodes and edges in the result (default true). */
  includeGraph?: boolean;
  /**
   * "auto" (default): one eager sweep, restarting in budgeted rounds only when maxAddresses would
   * be exceeded. "rounds": always expand level by level (same result when the budget suffices;
   * for tests and debugging).
   */
  expansion?: "auto" | "rounds";
  /** Asset reported for UTXO value. Default BTC, 8 decimals. */
  utxoAsset?: { asset: string; symbol?: string | null; decimals?: number | null };
  /** Names of a graph that keeps none itself (store-backed). */
  names?: GraphNames;
  /** Every address's history counts as complete: nothing can be fetched, so nothing is reported missing. */
  allComplete?: boolean;
  /** Only transactions in these blocks (both ends included) carry taint (`--since/--until` as heights). */
  heights?: HeightWindow;
  /**
   * Name at most this many of the missing addresses, nearest first (default: all). `addressCount`
   * counts them all: an offline trace over a store of partial histories reaches millions, and naming
   * each costs more than the trace.
   */
  nameMissing?: number;
}

export interface TraceHop {
  txid: string;
  from: string;
  to: string;
  amount: Amount;
}

export interface TracePath {
  hops: TraceHop[];
  /** Smallest hop amount on the route (paths are ranked by it). */
  bottleneck: Amount;
}

export interface TraceEndpoint {
  address: string;
  labels: string[];
  categories: string[];
  stop: boolean;
  amount: Amount;
  asset: string;
  symbol: string | null;
  decimals: number | null;
  hops: number;
  direct: Amount;
  cluster: { id: string; isService: boolean } | null;
  paths: TracePath[];
  pathsCapped: boolean;
}

export interface TraceNode {
  address: string;
  asset: string;
  amount: Amount;
  hop: number;
  labels: string[];
  categories: string[];
  stop: boolean;
  start: boolean;
  expanded: boolean;
}

export interface TraceEdge {
  from: string;
  to: string;
  txid: string;
  asset: string;
  amount: Amount;
  hop: number;
}

export interface TraceStats {
  /** Addresses expanded (their taint followed), start addresses included. */
  addressesVisited: number;
  /** Addresses that received taint. */
  addressesReached: number;
  txsVisited: number;
  truncated: boolean;
  /** `addresses`: those named (see TraceParams.nameMissing), of `addressCount` in all. */
  missing: { txids: string[]; addresses: string[]; addressCount: number };
}

export interface TraceResult {
  direction: Direction;
  model: Model;
  maxHops: number;
  start: string[];
  endpoints: TraceEndpoint[];
  nodes: TraceNode[];
  edges: TraceEdge[];
  stats: TraceStats;
}

interface NodeAgg {
  addr: number;
  asset: number;
  amount: Amount;
  hop: number;
  direct: Amount;
}

/**
 * A finished run: the result plus the sweeps (per-piece taint, for tests and debugging). The sweeps
 * read the graph's shared scratch: valid until the next trace on the same graph.
 */
export interface TraceRun {
  result: TraceResult;
  sweeps: Finished[];
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
function cmpDesc(a: Amount, b: Amount): number {
  return a > b ? -1 : a < b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// one trace at a time per graph

const locks = new WeakMap<TraceGraph, Promise<unknown>>();
function exclusive<T>(g: TraceGraph, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(g) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  locks.set(
    g,
    next.catch(() => undefined),
  );
  return next;
}

// ---------------------------------------------------------------------------------------------
// parameters

interface Prepared {
  o: EngineOptions;
  starts: number[];
  startNames: string[];
  unknownStarts: string[];
  targets: { categories: Set<string>; addresses: Set<string> } | null;
  maxPaths: number;
  includeGraph: boolean;
  rounds: boolean;
  utxo: { asset: string; symbol: string | null; decimals: number | null };
  names: GraphNames;
  nameMissing: number;
}

function checkParams(p: TraceParams) {
  const maxHops = p.maxHops ?? DEFAULT_MAX_HOPS;
  if (!Number.isInteger(maxHops) || maxHops < 1 || maxHops > MAX_HOPS)
    throw new RangeError(`maxHops must be an integer from 1 to ${MAX_HOPS}, got ${maxHops}`);
  const minValue = p.minValue ?? 0n;
  if (typeof minValue !== "bigint" || minValue < 0n)
    throw new RangeError("minValue must be a non-negative bigint");
  const maxAddresses = p.maxAddresses ?? Number.POSITIVE_INFINITY;
  if (!(maxAddresses >= 1)) throw new RangeError("maxAddresses must be at least 1");
  const model = p.model ?? "haircut";
  if (model !== "poison" && model !== "haircut" && model !== "fifo")
    throw new RangeError(`unknown model ${model}`);
  const direction = p.direction ?? "forward";
  if (direction !== "forward" && direction !== "backward")
    throw new RangeError(`unknown direction ${direction}`);
  const startList = typeof p.start === "string" ? [p.start] : [...p.start];
  if (startList.length === 0) throw new RangeError("at least one start address is needed");
  return { maxHops, minValue, maxAddresses, model, direction, startList };
}

const UNLABELLED_SERVICE = new WeakMap<ClusterInfo, AddrInfo>();

function addrInfo(
  l: AddressLabels | undefined,
  c: ClusterInfo | undefined,
  stopAt: ReadonlySet<string>,
): AddrInfo {
  if (!l && c) {
    // members of one cluster share their info (a service cluster may have a million members)
    const cached = UNLABELLED_SERVICE.get(c);
    if (cached && cached.stop === c.isService) return cached;
  }
  const categories = [...new Set(l?.categories ?? [])].sort();
  const labels = [...new Set(l?.labels ?? [])].sort();
  const stop = categories.some((k) => stopAt.has(k)) || c?.isService === true;
  const info = {
    labels,
    categories,
    cluster: c ?? null,
    stop,
    endpoint: categories.length > 0 || labels.length > 0 || stop,
  };
  if (!l && c) UNLABELLED_SERVICE.set(c, info);
  return info;
}

async function prepare(graph: TraceGraph, p: TraceParams): Promise<Prepared> {
  const c = checkParams(p);
  graph.finalize();
  const names = graph.names(p.names);
  const unique = [...new Set(c.startList)];
  const ids = await names.addressIds(unique);
  const starts: number[] = [];
  const startNames: string[] = [];
  const unknownStarts: string[] = [];
  unique.forEach((a, i) => {
    if (ids[i]! < 0) unknownStarts.push(a);
    else if (!starts.includes(ids[i]!)) {
      starts.push(ids[i]!);
      startNames.push(a);
    }
  });
  const stopAt = new Set(p.stopAt ?? DEFAULT_STOP_AT);
  // labels and clusters by graph id
  const keys = [...new Set([...(p.labels?.keys() ?? []), ...(p.clusters?.keys() ?? [])])];
  const keyIds = keys.length > 0 ? await names.addressIds(keys) : [];
  const info = new Map<number, AddrInfo>();
  keys.forEach((a, i) => {
    const id = keyIds[i]!;
    if (id < 0) return;
    const l = p.labels?.get(a);
    const cl = p.clusters?.get(a) ?? p.clustersById?.get(id);
    if (l || cl) info.set(id, addrInfo(l, cl, stopAt));
  });
  for (const [id, l] of p.labelsById ?? [])
    if (!info.has(id)) info.set(id, addrInfo(l, p.clustersById?.get(id), stopAt));
  for (const [id, cl] of p.clustersById ?? [])
    if (!info.has(id)) info.set(id, addrInfo(undefined, cl, stopAt));
  const tc = new Set(p.targets?.categories ?? []);
  const ta = new Set(p.targets?.addresses ?? []);
  const targets = tc.size + ta.size > 0 ? { categories: tc, addresses: ta } : null;
  const o: EngineOptions = {
    forward: c.direction === "forward",
    model: c.model,
    maxHops: c.maxHops,
    minValue: c.minValue,
    info,
    maxAddresses: c.maxAddresses,
    prune: null,
    allComplete: p.allComplete === true,
    heights: p.heights ?? null,
  };
  if (targets && tc.size === 0) {
    const tids = (await names.addressIds([...ta])).filter((x) => x >= 0);
    o.prune = pruneDistances(graph, o, tids);
  }
  return {
    o,
    starts,
    startNames,
    unknownStarts,
    targets,
    nameMissing: p.nameMissing ?? Number.POSITIVE_INFINITY,
    maxPaths: p.maxPathsPerEndpoint ?? DEFAULT_MAX_PATHS,
    includeGraph: p.includeGraph ?? true,
    rounds: p.expansion === "rounds",
    utxo: {
      asset: p.utxoAsset?.asset ?? "BTC",
      symbol: p.utxoAsset?.symbol ?? p.utxoAsset?.asset ?? "BTC",
      decimals: p.utxoAsset?.decimals ?? 8,
    },
    names,
  };
}

/**
 * Link search pruning: distance (in transactions) from every address to the nearest target,
 * against the trace direction, up to maxHops. null when the search would be too big to help.
 */
function pruneDistances(
  g: TraceGraph,
  o: EngineOptions,
  targets: number[],
  maxWork = 20_000_000,
): Uint8Array | null {
  const dist = new Uint8Array(g.addressCount).fill(NOHOP);
  let frontier: number[] = [];
  for (const id of targets)
    if (dist[id] === NOHOP) {
      dist[id] = 0;
      frontier.push(id);
    }
  let work = 0;
  const visit = (x: number, d: number, next: number[]) => {
    if (x >= 0 && dist[x] === NOHOP) {
      dist[x] = d;
      next.push(x);
    }
  };
  for (let d = 1; d <= o.maxHops && frontier.length > 0; d++) {
    const next: number[] = [];
    for (const y of frontier) {
      for (const c of g.cellsOf(y)) {
        const list = g.cellList(c);
        work += list.length;
        for (let k = 0; k < list.length; k++) {
          const e = list[k]!;
          const t = e >> 1;
          if (g.isFee(t)) continue;
          // forward trace: who can pay y; backward trace: whom y pays
          if (o.forward && (e & 1) === 1) visit(g.from[t]!, d, next);
          if (!o.forward && (e & 1) === 0) visit(g.to[t]!, d, next);
        }
      }
      if (o.forward) {
        const outs = g.receivedOutputs(y);
        for (let k = 0; k < outs.length; k++) {
          const tx = g.outTx[outs[k]!]!;
          const end = g.inStart[tx + 1]!;
          work += end - g.inStart[tx]!;
          for (let i = g.inStart[tx]!; i < end; i++) visit(g.inAddr[i]!, d, next);
        }
      } else {
        const ins = g.spentInputs(y);
        for (let k = 0; k < ins.length; k++) {
          const tx = g.inTx[ins[k]!]!;
          const end = g.outStart[tx + 1]!;
          work += end - g.outStart[tx]!;
          for (let j = g.outStart[tx]!; j < end; j++) visit(g.outAddr[j]!, d, next);
        }
      }
      if (work > maxWork) return null;
    }
    frontier = next;
  }
  return dist;
}

// ---------------------------------------------------------------------------------------------
// runs

interface Ran {
  st: TraceState;
  sweeps: Finished[];
}

function runOnce(
  g: TraceGraph,
  o: EngineOptions,
  starts: readonly number[],
  eager: boolean,
  pre: readonly number[],
): Ran {
  const st = new TraceState(g, o, starts);
  st.eager = eager;
  const utxo = g.txCount > 0 ? new UtxoSweep(st) : null;
  const acct = g.n > 0 ? new AccountSweep(st) : null;
  if (utxo) st.sweeps.push(utxo);
  if (acct) st.sweeps.push(acct);
  utxo?.pinStarts(starts);
  acct?.pinStarts(starts);
  for (const s of starts) st.expand(s, TIMELESS);
  for (const a of pre) st.expand(a, TIMELESS);
  utxo?.run();
  acct?.run();
  utxo?.run(); // expansions the account sweep made (a graph holding both models)
  acct?.release();
  return { st, sweeps: [utxo, acct].filter((x): x is UtxoSweep | AccountSweep => x !== null) };
}

function nodesOf(ran: Ran, addr: number): NodeAgg[] {
  const out: NodeAgg[] = [];
  for (const s of ran.sweeps) for (const n of s.nodesOf(addr)) out.push({ addr, ...n });
  return out;
}

async function run(g: TraceGraph, p: Prepared): Promise<Ran> {
  const { o, starts } = p;
  if (!p.rounds) {
    if (!Number.isFinite(o.maxAddresses)) return runOnce(g, o, starts, true, []);
    try {
      return runOnce(g, o, starts, true, []);
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
    }
  }
  // budgeted rounds: lowest hop level first, biggest taint first within a level
  const pre: number[] = [];
  let ran = runOnce(g, o, starts, false, pre);
  for (;;) {
    const st = ran.st;
    const cands = st.reached.filter((a) => !st.expanded[a] && st.eligible(a));
    if (cands.length === 0) break;
    let minH = NOHOP;
    for (const a of cands) if (st.addrHop[a]! < minH) minH = st.addrHop[a]!;
    const level = cands.filter((a) => st.addrHop[a] === minH);
    const best = new Map<number, Amount>();
    for (const a of level) {
      let b = 0n;
      for (const n of nodesOf(ran, a)) if (n.amount > b) b = n.amount;
      best.set(a, b);
    }
    const room = o.maxAddresses - st.expandedCount;
    if (room <= 0) {
      st.truncated = true;
      break;
    }
    const nameOf = new Map<number, string>();
    if (level.length > room) {
      // ties at the cut are broken by address text
      const ids = await p.names.addresses(level);
      for (const [i, a] of level.entries()) nameOf.set(a, ids[i]!);
    }
    level.sort(
      (a, b) => cmpDesc(best.get(a)!, best.get(b)!) || cmpStr(nameOf.get(a) ?? "", nameOf.get(b) ?? ""),
    );
    pre.push(...level.slice(0, room));
    ran = runOnce(g, o, starts, false, pre);
    if (level.length > room) {
      ran.st.truncated = true;
      break;
    }
  }
  return ran;
}

// ---------------------------------------------------------------------------------------------
// results

export function trace(graph: TraceGraph, params: TraceParams): Promise<TraceResult> {
  return traceRun(graph, params).then((r) => r.result);
}

export function traceRun(graph: TraceGraph, params: TraceParams): Promise<TraceRun> {
  return exclusive(graph, () => traceLocked(graph, params));
}

async function traceLocked(graph: TraceGraph, params: TraceParams): Promise<TraceRun> {
  const p = await prepare(graph, params);
  const ran = await run(graph, p);
  return { result: await assemble(graph, p, ran), sweeps: ran.sweeps };
}

/** Collects ids to name, then names them in one call each. */
class Naming {
  readonly addr = new Set<number>();
  readonly utxo = new Set<number>();
  readonly transfers = new Set<number>();
  private addrNames = new Map<number, string>();
  private utxoNames = new Map<number, string>();
  private transferNames = new Map<number, string>();
  prev: string[] = [];
  spender: string[] = [];
  constructor(private readonly names: GraphNames) {}
  tx(isUtxo: boolean, ref: number): void {
    (isUtxo ? this.utxo : this.transfers).add(ref);
  }
  async resolve(prevOf: number[], spenderOf: number[]): Promise<void> {
    const a = [...this.addr];
    const an = await this.names.addresses(a);
    for (const [i, id] of a.entries()) this.addrNames.set(id, an[i]!);
    const u = [...this.utxo];
    const t = [...this.transfers];
    const tn = await this.names.txids({ utxo: u, transfers: t, prevOf, spenderOf });
    for (const [i, id] of u.entries()) this.utxoNames.set(id, tn.utxo[i]!);
    for (const [i, id] of t.entries()) this.transferNames.set(id, tn.transfers[i]!);
    this.prev = tn.prevOf;
    this.spender = tn.spenderOf;
  }
  address(id: number): string {
    return this.addrNames.get(id)!;
  }
  txid(isUtxo: boolean, ref: number): string {
    return (isUtxo ? this.utxoNames : this.transferNames).get(ref)!;
  }
}

async function assemble(g: TraceGraph, p: Prepared, ran: Ran): Promise<TraceResult> {
  const { st, sweeps } = ran;
  const naming = new Naming(p.names);
  const assetOf = (asset: number) =>
    asset === UTXO_ASSET
      ? p.utxo
      : {
          asset: g.assets[asset]!.name,
          symbol: g.assets[asset]!.symbol,
          decimals: g.assets[asset]!.decimals,
        };
  const sweepFor = (asset: number) => sweeps.find((s) => (asset === UTXO_ASSET) === s.isUtxo);

  // endpoints: labelled (or service) addresses that received taint
  const endpointNodes: { node: NodeAgg; info: AddrInfo }[] = [];
  for (const [addr, info] of p.o.info) {
    if (!info.endpoint || st.isStart[addr] || st.addrHop[addr] === NOHOP) continue;
    for (const node of nodesOf(ran, addr)) endpointNodes.push({ node, info });
  }
  for (const a of p.starts) naming.addr.add(a);
  for (const { node } of endpointNodes) naming.addr.add(node.addr);
  const targetIds =
    p.targets && p.targets.addresses.size > 0
      ? new Set((await p.names.addressIds([...p.targets.addresses])).filter((x) => x >= 0))
      : new Set<number>();
  const matches = (addr: number, cats: string[]) =>
    !p.targets || targetIds.has(addr) || cats.some((c) => p.targets!.categories.has(c));
  const reported = endpointNodes.filter(({ node, info }) => matches(node.addr, info.categories));

  // routes, found on ids; ordered once named
  const popsPerEndpoint = Math.max(400, Math.min(4000, Math.floor(PATH_WORK / Math.max(1, reported.length))));
  const caches = new Map<Finished, Map<number, RouteLink[]>>();
  const found = reported.map(({ node }) => {
    const sweep = sweepFor(node.asset);
    if (!sweep || p.maxPaths <= 0) return { sweep, routes: [], capped: false };
    let cache = caches.get(sweep);
    if (!cache) {
      cache = new Map();
      caches.set(sweep, cache);
    }
    const r = searchRoutes(
      sweep,
      sweep.endpointPieces(node.addr, node.asset),
      { maxPaths: p.maxPaths, maxPops: popsPerEndpoint, fanIn: 32 },
      cache,
    );
    for (const route of r.routes)
      for (const l of route.links) {
        naming.addr.add(l.from);
        naming.addr.add(l.to);
        naming.tx(sweep.isUtxo, l.ref);
      }
    return { sweep, routes: r.routes, capped: r.capped };
  });

  // nodes and edges, only when asked for
  const graphNodes: NodeAgg[] = [];
  const rawEdges: {
    isUtxo: boolean;
    ref: number;
    from: number;
    to: number;
    asset: number;
    amount: Amount;
    hop: number;
  }[] = [];
  if (p.includeGraph) {
    for (const a of [...p.starts, ...st.reached]) for (const n of nodesOf(ran, a)) graphNodes.push(n);
    for (const n of graphNodes) naming.addr.add(n.addr);
    for (const s of sweeps)
      s.edges((ref, _txKey, from, to, asset, amount, hop) => {
        rawEdges.push({ isUtxo: s.isUtxo, ref, from, to, asset, amount, hop });
        naming.addr.add(from);
        naming.addr.add(to);
        naming.tx(s.isUtxo, ref);
      });
  }
  const namedMissing: number[] = [];
  for (const a of st.missingAddr) {
    if (namedMissing.length >= p.nameMissing) break;
    namedMissing.push(a);
    naming.addr.add(a);
  }
  const prevOf = [...st.missingPrevOf];
  const spenderOf = [...st.missingSpenderOf];
  await naming.resolve(prevOf, spenderOf);

  const onPaths = new Set<string>();
  const endpoints: TraceEndpoint[] = reported.map(({ node, info }, i) => {
    const f = found[i]!;
    const isUtxo = f.sweep?.isUtxo ?? false;
    const named = f.routes.map((r) => {
      const hops = r.links.map((l) => ({
        txid: naming.txid(isUtxo, l.ref),
        from: naming.address(l.from),
        to: naming.address(l.to),
        amount: l.amount,
      }));
      return {
        bottleneck: r.bottleneck,
        length: hops.length,
        text: hops.map((h) => `${h.txid}|${h.from}|${h.to}`).join(">"),
        hops,
      };
    });
    const { kept, cut } = orderRoutes(named, p.maxPaths);
    const a = assetOf(node.asset);
    const paths = kept.map((r) => ({ hops: r.hops, bottleneck: r.bottleneck }));
    if (p.targets)
      for (const path of paths)
        for (const h of path.hops) {
          onPaths.add(`${h.txid}|${h.from}|${h.to}|${a.asset}`);
          onPaths.add(`@${h.from}|${a.asset}`);
          onPaths.add(`@${h.to}|${a.asset}`);
        }
    return {
      address: naming.address(node.addr),
      labels: [...info.labels],
      categories: [...info.categories],
      stop: info.stop,
      amount: node.amount,
      asset: a.asset,
      symbol: a.symbol,
      decimals: a.decimals,
      hops: node.hop,
      direct: node.direct,
      cluster: info.cluster
        ? { id: String(info.cluster.clusterId), isService: info.cluster.isService }
        : null,
      paths,
      pathsCapped: f.capped || cut,
    };
  });
  endpoints.sort(
    (x, y) =>
      cmpDesc(x.amount, y.amount) ||
      x.hops - y.hops ||
      cmpStr(x.address, y.address) ||
      cmpStr(x.asset, y.asset),
  );

  const nodes: TraceNode[] = [];
  let edges: TraceEdge[] = [];
  if (p.includeGraph) {
    for (const node of graphNodes) {
      const address = naming.address(node.addr);
      const asset = assetOf(node.asset).asset;
      const start = st.isStart[node.addr] === 1;
      if (p.targets && !start && !onPaths.has(`@${address}|${asset}`)) continue;
      const info = p.o.info.get(node.addr);
      nodes.push({
        address,
        asset,
        amount: node.amount,
        hop: node.hop,
        labels: [...(info?.labels ?? [])],
        categories: [...(info?.categories ?? [])],
        stop: (info?.stop ?? false) && !start,
        start,
        expanded: st.expanded[node.addr] === 1,
      });
    }
    nodes.sort(
      (x, y) =>
        x.hop - y.hop ||
        cmpDesc(x.amount, y.amount) ||
        cmpStr(x.address, y.address) ||
        cmpStr(x.asset, y.asset),
    );
    edges = rawEdges.map((e) => ({
      from: naming.address(e.from),
      to: naming.address(e.to),
      txid: naming.txid(e.isUtxo, e.ref),
      asset: assetOf(e.asset).asset,
      amount: e.amount,
      hop: e.hop,
    }));
    if (p.targets) edges = edges.filter((e) => onPaths.has(`${e.txid}|${e.from}|${e.to}|${e.asset}`));
    edges.sort(
      (x, y) =>
        x.hop - y.hop ||
        cmpDesc(x.amount, y.amount) ||
        cmpStr(x.txid, y.txid) ||
        cmpStr(x.from, y.from) ||
        cmpStr(x.to, y.to) ||
        cmpStr(x.asset, y.asset),
    );
  }

  let addressesReached = st.reached.length;
  for (const a of p.starts) if (nodesOf(ran, a).length > 0) addressesReached++;
  return {
    direction: p.o.forward ? "forward" : "backward",
    model: p.o.model,
    maxHops: p.o.maxHops,
    start: [...p.startNames, ...p.unknownStarts],
    endpoints,
    nodes,
    edges,
    stats: {
      addressesVisited: st.expandedCount,
      addressesReached,
      txsVisited: sweeps.reduce((s, x) => s + x.txsVisited, 0),
      truncated: st.truncated,
      missing: {
        txids: [...new Set([...naming.prev, ...naming.spender])].sort(),
        addresses: [...namedMissing.map((a) => naming.address(a)), ...p.unknownStarts].sort(),
        addressCount: st.missingAddr.size + p.unknownStarts.length,
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Exposure

export interface ExposureParams {
  /** Default "both". */
  direction?: "in" | "out" | "both";
  /** Indirect exposure up to this many hops (1..12, default 3). */
  hops?: number;
  /** Default haircut. */
  model?: Model;
  minValue?: Amount;
  stopAt?: readonly string[];
  labels?: ReadonlyMap<string, AddressLabels>;
  clusters?: ReadonlyMap<string, ClusterInfo>;
  labelsById?: ReadonlyMap<number, AddressLabels>;
  clustersById?: ReadonlyMap<number, ClusterInfo>;
  maxAddresses?: number;
  utxoAsset?: { asset: string; symbol?: string | null; decimals?: number | null };
  names?: GraphNames;
  allComplete?: boolean;
  heights?: HeightWindow;
}

export interface ExposureEntry {
  category: string;
  direction: "in" | "out";
  asset: string;
  amount: Amount;
  /** amount / total of the direction and asset, 4 decimals ("0.2500"); may exceed 1 (poison, overlaps). */
  share: string;
  /** The same in basis points (floor, computed in bigint). */
  shareBps: number;
  /** Labelled addresses that contribute. */
  addresses: number;
}

export interface ExposureResult {
  address: string;
  /** Counterparties: taint received by labelled addresses at hop 1. */
  direct: ExposureEntry[];
  /** Hops 2..N. */
  indirect: ExposureEntry[];
  /** Denominators: everything the address received, per asset ("in" and "out" alike). */
  totals: { direction: "in" | "out"; asset: string; amount: Amount }[];
  truncated: boolean;
  missing: { txids: string[]; addresses: string[] };
}

export function shareOf(amount: Amount, total: Amount): { share: string; shareBps: number } {
  const bps = total > 0n ? (amount * 10000n) / total : 0n;
  return { share: `${bps / 10000n}.${(bps % 10000n).toString().padStart(4, "0")}`, shareBps: Number(bps) };
}

/**
 * Direct and indirect exposure of an address by category, built on the same propagation:
 * "out" is a forward trace (where its funds went), "in" a backward one (where they came from).
 * A labelled address with several categories counts in each.
 */
export function exposure(
  graph: TraceGraph,
  address: string,
  params: ExposureParams = {},
): Promise<ExposureResult> {
  return exclusive(graph, () => exposureLocked(graph, address, params));
}

async function exposureLocked(
  graph: TraceGraph,
  address: string,
  params: ExposureParams,
): Promise<ExposureResult> {
  const dir = params.direction ?? "both";
  const sides: ("in" | "out")[] = dir === "both" ? ["in", "out"] : [dir];
  const direct: ExposureEntry[] = [];
  const indirect: ExposureEntry[] = [];
  const totals: ExposureResult["totals"] = [];
  const txids = new Set<string>();
  const addresses = new Set<string>();
  let truncated = false;
  for (const side of sides) {
    const p = await prepare(graph, {
      start: address,
      direction: side === "out" ? "forward" : "backward",
      model: params.model ?? "haircut",
      maxHops: params.hops ?? 3,
      minValue: params.minValue,
      stopAt: params.stopAt,
      labels: params.labels,
      clusters: params.clusters,
      labelsById: params.labelsById,
      clustersById: params.clustersById,
      maxAddresses: params.maxAddresses,
      maxPathsPerEndpoint: 0,
      includeGraph: false,
      utxoAsset: params.utxoAsset,
      names: params.names,
      allComplete: params.allComplete,
      heights: params.heights,
    });
    const ran = await run(graph, p);
    // what the result needs from the scratch, before anything else can run
    const assetName = (a: number) =>
      a === UTXO_ASSET ? (params.utxoAsset?.asset ?? "BTC") : graph.assets[a]!.name;
    const total = new Map<string, Amount>();
    for (const s of p.starts)
      for (const node of nodesOf(ran, s)) {
        const asset = assetName(node.asset);
        total.set(asset, (total.get(asset) ?? 0n) + node.amount);
      }
    const acc = new Map<string, { d: Amount; i: Amount; da: number; ia: number }>();
    for (const [addr, info] of p.o.info) {
      if (ran.st.isStart[addr] || ran.st.addrHop[addr] === NOHOP || info.categories.length === 0) continue;
      for (const node of nodesOf(ran, addr)) {
        const asset = assetName(node.asset);
        for (const category of info.categories) {
          const key = `${category}\u0000${asset}`;
          let e = acc.get(key);
          if (!e) {
            e = { d: 0n, i: 0n, da: 0, ia: 0 };
            acc.set(key, e);
          }
          const ind = node.amount - node.direct;
          e.d += node.direct;
          e.i += ind;
          if (node.direct > 0n) e.da++;
          if (ind > 0n) e.ia++;
        }
      }
    }
    const result = await assemble(graph, p, ran);
    truncated ||= result.stats.truncated;
    for (const t of result.stats.missing.txids) txids.add(t);
    for (const a of result.stats.missing.addresses) addresses.add(a);
    for (const [asset, amount] of total) totals.push({ direction: side, asset, amount });
    for (const [key, e] of acc) {
      const [category, asset] = key.split("\u0000") as [string, string];
      const t = total.get(asset) ?? 0n;
      if (e.d > 0n)
        direct.push({ category, direction: side, asset, amount: e.d, ...shareOf(e.d, t), addresses: e.da });
      if (e.i > 0n)
        indirect.push({ category, direction: side, asset, amount: e.i, ...shareOf(e.i, t), addresses: e.ia });
    }
  }
  const order = (x: ExposureEntry, y: ExposureEntry) =>
    cmpStr(x.direction, y.direction) ||
    cmpStr(x.asset, y.asset) ||
    cmpDesc(x.amount, y.amount) ||
    cmpStr(x.category, y.category);
  direct.sort(order);
  indirect.sort(order);
  totals.sort((x, y) => cmpStr(x.direction, y.direction) || cmpStr(x.asset, y.asset));
  return {
    address,
    direct,
    indirect,
    totals,
    truncated,
    missing: { txids: [...txids].sort(), addresses: [...addresses].sort() },
  };
}
