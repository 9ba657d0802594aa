/**
 * The trace engine: pure and synchronous, rows in (a {@link FlowGraph}), results out.
 *
 * Semantics (SPEC "Tracing semantics"; the per-model rules are in trace-utxo.ts and
 * trace-account.ts). Decisions where SPEC is silent:
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
 * - Fixpoint. Every rule is monotone (more taint in → never less taint out, never more hops), so
 *   the result is the least fixpoint, whatever the processing order: without a budget the engine
 *   expands eagerly in one sweep; with a budget that would be exceeded it restarts in rounds:
 *   each round expands the unexpanded eligible addresses of the lowest hop level, biggest taint
 *   first (per-asset maximum; assets are not converted), until the budget runs out
 *   (`truncated: true`). Hop numbers are shortest-path correct in both modes, because they are a
 *   property of the fixpoint, not of the order. `maxAddresses` counts start addresses.
 *   (`expansion: "rounds"` forces the round mode; a test checks both modes agree.)
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
 *   20) routes, widest first (see trace-paths.ts); `pathsCapped` when more may exist. Path search
 *   is bounded (200k best-first steps per trace, 400..4000 per endpoint, fan-in 32 per piece).
 * - Bad parameters (maxHops outside 1..12, negative minValue, ...) throw RangeError; the service
 *   layer maps them to its coded errors (the core imports nothing outside src/core).
 * - The graph must not change while a trace runs. Traces are synchronous and keep no state.
 * - Edges are aggregated per (txid, from, to, asset) in money-flow direction (also backward);
 *   edge and path hop amounts are the taint that moved from `from` to `to` in that transaction
 *   (UTXO haircut/poison: an output's taint split over the tainted inputs in proportion to their
 *   taint, largest remainder; fifo: exact interval overlap). Path hops are listed in trace order
 *   (hop 1 first), also for backward traces.
 * - Link search (`targets`): only endpoints matching a target category or address are reported,
 *   with their paths, and nodes/edges are restricted to those paths. When targets are addresses
 *   only, a breadth-first search backwards from them (over the hop-limited graph, structural) gives
 *   each address its distance d to a target, and an address at hop h is expanded only when
 *   h + d ≤ maxHops: routes longer than maxHops transactions are pruned (meet in the middle).
 *   Taint that would reach a target only by merging into a shorter flow through a pruned detour
 *   is therefore not counted in link search.
 * - UTXO outputs without an address (OP_RETURN, non-standard) end the flow like a fee.
 * - Missing: a tainted output of an expanded address whose spender is not loaded → its txid; whose
 *   spend status was never asked → the address; an expanded account address or a start without
 *   complete history → the address; a backward input whose previous transaction is not loaded →
 *   that txid. Fetch them and run again.
 */
import type { Amount } from "../domain.ts";
import type { FlowGraph } from "./graph.ts";
import { AccountPropagator } from "./trace-account.ts";
import {
  BudgetExceeded,
  type ClusterLookup,
  type Direction,
  type EngineOptions,
  type LabelLookup,
  type Model,
  NOHOP,
  type NodeAgg,
  type PathLink,
  type Propagator,
  TraceCtx,
  UTXO_ASSET,
} from "./trace-context.ts";
import { searchPaths } from "./trace-paths.ts";
import { UtxoPropagator } from "./trace-utxo.ts";

export type {
  AddressLabels,
  ClusterInfo,
  ClusterLookup,
  Direction,
  LabelLookup,
  Model,
} from "./trace-context.ts";

export const DEFAULT_MAX_HOPS = 5;
export const MAX_HOPS = 12;
export const DEFAULT_STOP_AT: readonly string[] = ["exchange"];
export const DEFAULT_MAX_PATHS = 20;
/** Total best-first pops spent on path extraction per trace (spread over the endpoints). */
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
  labels?: LabelLookup;
  clusters?: ClusterLookup;
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
  missing: { txids: string[]; addresses: string[] };
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

interface Normalized {
  o: EngineOptions;
  starts: number[];
  unknownStarts: string[];
  targets: { categories: Set<string>; addresses: Set<string> } | null;
  maxPaths: number;
  includeGraph: boolean;
  rounds: boolean;
  utxo: { asset: string; symbol: string | null; decimals: number | null };
}

function normalize(graph: FlowGraph, p: TraceParams): Normalized {
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
  const starts: number[] = [];
  const unknownStarts: string[] = [];
  for (const a of new Set(startList)) {
    const id = graph.addressId(a);
    if (id < 0) unknownStarts.push(a);
    else starts.push(id);
  }
  const tc = new Set(p.targets?.categories ?? []);
  const ta = new Set(p.targets?.addresses ?? []);
  const targets = tc.size + ta.size > 0 ? { categories: tc, addresses: ta } : null;
  const o: EngineOptions = {
    forward: direction === "forward",
    model,
    maxHops,
    minValue,
    stopAt: new Set(p.stopAt ?? DEFAULT_STOP_AT),
    labels: p.labels,
    clusters: p.clusters,
    maxAddresses,
    prune: null,
  };
  if (targets && tc.size === 0) o.prune = pruneDistances(graph, o, [...ta]);
  return {
    o,
    starts,
    unknownStarts,
    targets,
    maxPaths: p.maxPathsPerEndpoint ?? DEFAULT_MAX_PATHS,
    includeGraph: p.includeGraph ?? true,
    rounds: p.expansion === "rounds",
    utxo: {
      asset: p.utxoAsset?.asset ?? "BTC",
      symbol: p.utxoAsset?.symbol ?? p.utxoAsset?.asset ?? "BTC",
      decimals: p.utxoAsset?.decimals ?? 8,
    },
  };
}

/**
 * Link search pruning: distance (in transactions) from every address to the nearest target,
 * against the trace direction, up to maxHops. null when the search would be too big to help.
 */
function pruneDistances(
  g: FlowGraph,
  o: EngineOptions,
  targets: string[],
  maxWork = 20_000_000,
): Uint8Array | null {
  const dist = new Uint8Array(g.addressCount).fill(NOHOP);
  let frontier: number[] = [];
  for (const t of targets) {
    const id = g.addressId(t);
    if (id >= 0 && dist[id] === NOHOP) {
      dist[id] = 0;
      frontier.push(id);
    }
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
      const list = g.transfersOf(y);
      work += list.length;
      for (let k = 0; k < list.length; k++) {
        const e = list[k]!;
        const t = e >> 1;
        if (g.transferKind(t) === "fee" || !g.transferSuccess(t)) continue;
        // forward trace: who can pay y; backward trace: whom y pays
        if (o.forward && (e & 1) === 1) visit(g.transferFrom(t), d, next);
        if (!o.forward && (e & 1) === 0) visit(g.transferTo(t), d, next);
      }
      if (o.forward) {
        const outs = g.receivedOutputs(y);
        for (let k = 0; k < outs.length; k++) {
          const tx = g.outputTx(outs[k]!);
          const end = g.txInputEnd(tx);
          work += end - g.txInputStart(tx);
          for (let i = g.txInputStart(tx); i < end; i++) visit(g.inputAddress(i), d, next);
        }
      } else {
        const ins = g.spentInputs(y);
        for (let k = 0; k < ins.length; k++) {
          const tx = g.inputTx(ins[k]!);
          const end = g.txOutputEnd(tx);
          work += end - g.txOutputStart(tx);
          for (let j = g.txOutputStart(tx); j < end; j++) visit(g.outputAddress(j), d, next);
        }
      }
      if (work > maxWork) return null;
    }
    frontier = next;
  }
  return dist;
}

function runEngine(
  graph: FlowGraph,
  o: EngineOptions,
  starts: readonly number[],
  forceRounds: boolean,
): TraceCtx {
  const attempt = (eager: boolean): TraceCtx => {
    const ctx = new TraceCtx(graph, o);
    ctx.eager = eager;
    for (const s of starts) ctx.isStart[s] = 1;
    if (graph.txCount > 0) ctx.props.push(new UtxoPropagator(ctx));
    if (graph.transferCount > 0) ctx.props.push(new AccountPropagator(ctx));
    for (const p of ctx.props) p.pinStarts(starts);
    for (const s of starts) ctx.expand(s, Number.NEGATIVE_INFINITY);
    ctx.sweep();
    if (!eager) rounds(ctx);
    return ctx;
  };
  if (forceRounds) return attempt(false);
  if (!Number.isFinite(o.maxAddresses)) return attempt(true);
  try {
    return attempt(true);
  } catch (e) {
    if (e instanceof BudgetExceeded) return attempt(false);
    throw e;
  }
}

/** Budgeted expansion: lowest hop level first, biggest taint first within a level. */
function rounds(ctx: TraceCtx): void {
  const g = ctx.g;
  for (;;) {
    const cands: number[] = [];
    for (const a of ctx.candidates) {
      if (ctx.expanded[a]) ctx.candidates.delete(a);
      else if (ctx.eligible(a)) cands.push(a);
    }
    if (cands.length === 0) return;
    let minH = NOHOP;
    for (const a of cands) if (ctx.addrHop[a]! < minH) minH = ctx.addrHop[a]!;
    const level = cands.filter((a) => ctx.addrHop[a] === minH);
    level.sort((a, b) => {
      const x = ctx.addrBest.get(a) ?? 0n;
      const y = ctx.addrBest.get(b) ?? 0n;
      if (x !== y) return y > x ? 1 : -1;
      const sa = g.address(a);
      const sb = g.address(b);
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    });
    const room = ctx.o.maxAddresses - ctx.expandedCount;
    if (room <= 0) {
      ctx.truncated = true;
      return;
    }
    const take = level.slice(0, room);
    for (const a of take) {
      ctx.candidates.delete(a);
      ctx.expand(a, Number.NEGATIVE_INFINITY);
    }
    ctx.sweep();
    if (level.length > room) {
      ctx.truncated = true;
      return;
    }
  }
}

/** A finished run: the result plus per-piece taint for inspection (tests, debugging). */
export interface TraceRun {
  result: TraceResult;
  ctx: TraceCtx;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
function cmpDesc(a: Amount, b: Amount): number {
  return a > b ? -1 : a < b ? 1 : 0;
}

export function trace(graph: FlowGraph, params: TraceParams): TraceResult {
  return traceRun(graph, params).result;
}

export function traceRun(graph: FlowGraph, params: TraceParams): TraceRun {
  const n = normalize(graph, params);
  const ctx = runEngine(graph, n.o, n.starts, n.rounds);
  const g = graph;
  const assetOf = (asset: number) =>
    asset === UTXO_ASSET
      ? n.utxo
      : { asset: g.assetName(asset), symbol: g.assetSymbol(asset), decimals: g.assetDecimals(asset) };
  const propFor = (asset: number): Propagator | undefined =>
    ctx.props.find((p) => (asset === UTXO_ASSET) === p instanceof UtxoPropagator);

  // edges (also needed for path hop amounts)
  const edges: TraceEdge[] = [];
  for (const p of ctx.props)
    p.edges((txid, from, to, asset, amount, hop) =>
      edges.push({
        from: g.address(from),
        to: g.address(to),
        txid,
        asset: assetOf(asset).asset,
        amount,
        hop,
      }),
    );

  // endpoints and their paths
  const matches = (addr: number, cats: string[]) =>
    !n.targets || n.targets.addresses.has(g.address(addr)) || cats.some((c) => n.targets!.categories.has(c));
  const endpointNodes: NodeAgg[] = [];
  for (const node of ctx.nodes.values()) {
    if (node.amount <= 0n || ctx.isStart[node.addr]) continue;
    const info = ctx.addrInfo(node.addr);
    if (info.endpoint && matches(node.addr, info.categories)) endpointNodes.push(node);
  }
  const caches = new Map<Propagator, Map<number, PathLink[]>>();
  // path search work: 4000 pops per endpoint, at most PATH_WORK over all (never under 400 each)
  const popsPerEndpoint = Math.max(
    400,
    Math.min(4000, Math.floor(PATH_WORK / Math.max(1, endpointNodes.length))),
  );
  const onPaths = new Set<string>();
  const endpoints: TraceEndpoint[] = endpointNodes.map((node) => {
    const info = ctx.addrInfo(node.addr);
    const prop = propFor(node.asset);
    let paths: TracePath[] = [];
    let pathsCapped = false;
    if (prop && n.maxPaths > 0) {
      let cache = caches.get(prop);
      if (!cache) {
        cache = new Map();
        caches.set(prop, cache);
      }
      const found = searchPaths(
        prop,
        prop.endpointPieces(node.addr, node.asset),
        { maxPaths: n.maxPaths, maxPops: popsPerEndpoint, fanIn: 32, name: (a) => g.address(a) },
        cache,
      );
      pathsCapped = found.capped;
      paths = found.paths.map((fp) => ({
        bottleneck: fp.bottleneck,
        hops: fp.links.map((l) => ({
          txid: l.txid,
          from: g.address(l.from),
          to: g.address(l.to),
          amount: l.amount,
        })),
      }));
    }
    const a = assetOf(node.asset);
    if (n.targets)
      for (const p of paths)
        for (const h of p.hops) {
          onPaths.add(`${h.txid}|${h.from}|${h.to}|${a.asset}`);
          onPaths.add(`@${h.from}|${a.asset}`);
          onPaths.add(`@${h.to}|${a.asset}`);
        }
    return {
      address: g.address(node.addr),
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
      pathsCapped,
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
  let outEdges: TraceEdge[] = [];
  if (n.includeGraph) {
    for (const node of ctx.nodes.values()) {
      if (node.amount <= 0n) continue;
      const address = g.address(node.addr);
      const asset = assetOf(node.asset).asset;
      const start = ctx.isStart[node.addr] === 1;
      if (n.targets && !start && !onPaths.has(`@${address}|${asset}`)) continue;
      const info = ctx.addrInfo(node.addr);
      nodes.push({
        address,
        asset,
        amount: node.amount,
        hop: node.hop,
        labels: [...info.labels],
        categories: [...info.categories],
        stop: info.stop && !start,
        start,
        expanded: ctx.expanded[node.addr] === 1,
      });
    }
    nodes.sort((x, y) => x.hop - y.hop || cmpDesc(x.amount, y.amount) || cmpStr(x.address, y.address));
    outEdges = n.targets ? edges.filter((e) => onPaths.has(`${e.txid}|${e.from}|${e.to}|${e.asset}`)) : edges;
    outEdges.sort(
      (x, y) =>
        x.hop - y.hop ||
        cmpDesc(x.amount, y.amount) ||
        cmpStr(x.txid, y.txid) ||
        cmpStr(x.from, y.from) ||
        cmpStr(x.to, y.to),
    );
  }

  let addressesReached = 0;
  const seen = new Set<number>();
  for (const node of ctx.nodes.values())
    if (node.amount > 0n && !seen.has(node.addr)) {
      seen.add(node.addr);
      addressesReached++;
    }
  const result: TraceResult = {
    direction: n.o.forward ? "forward" : "backward",
    model: n.o.model,
    maxHops: n.o.maxHops,
    start: [...n.starts.map((s) => g.address(s)), ...n.unknownStarts],
    endpoints,
    nodes,
    edges: outEdges,
    stats: {
      addressesVisited: ctx.expandedCount,
      addressesReached,
      txsVisited: ctx.props.reduce((s, p) => s + p.txsVisited, 0),
      truncated: ctx.truncated,
      missing: {
        txids: [...ctx.missingTx].sort(),
        addresses: [...[...ctx.missingAddr].map((a) => g.address(a)), ...n.unknownStarts].sort(),
      },
    },
  };
  return { result, ctx };
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
  labels?: LabelLookup;
  clusters?: ClusterLookup;
  maxAddresses?: number;
  utxoAsset?: { asset: string; symbol?: string | null; decimals?: number | null };
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
export function exposure(graph: FlowGraph, address: string, params: ExposureParams = {}): ExposureResult {
  const dir = params.direction ?? "both";
  const sides: ("in" | "out")[] = dir === "both" ? ["in", "out"] : [dir];
  const direct: ExposureEntry[] = [];
  const indirect: ExposureEntry[] = [];
  const totals: ExposureResult["totals"] = [];
  const txids = new Set<string>();
  const addresses = new Set<string>();
  let truncated = false;
  for (const side of sides) {
    const run = traceRun(graph, {
      start: address,
      direction: side === "out" ? "forward" : "backward",
      model: params.model ?? "haircut",
      maxHops: params.hops ?? 3,
      minValue: params.minValue,
      stopAt: params.stopAt,
      labels: params.labels,
      clusters: params.clusters,
      maxAddresses: params.maxAddresses,
      maxPathsPerEndpoint: 0,
      includeGraph: false,
      utxoAsset: params.utxoAsset,
    });
    const { ctx, result } = run;
    truncated ||= result.stats.truncated;
    for (const t of result.stats.missing.txids) txids.add(t);
    for (const a of result.stats.missing.addresses) addresses.add(a);
    const assetName = (a: number) =>
      a === UTXO_ASSET ? (params.utxoAsset?.asset ?? "BTC") : graph.assetName(a);
    const total = new Map<string, Amount>();
    const acc = new Map<string, { d: Amount; i: Amount; da: number; ia: number }>();
    for (const node of ctx.nodes.values()) {
      const asset = assetName(node.asset);
      if (ctx.isStart[node.addr]) {
        total.set(asset, (total.get(asset) ?? 0n) + node.amount);
        continue;
      }
      if (node.amount <= 0n) continue;
      for (const category of ctx.addrInfo(node.addr).categories) {
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

export type { TraceCtx } from "./trace-context.ts";
