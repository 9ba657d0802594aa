/**
 * State shared by the UTXO and account propagators of one trace run: which addresses are
 * expanded, the per-(address, asset) aggregates ("nodes"), labels, the budget and what is missing.
 */
import type { Amount } from "../domain.ts";
import type { FlowGraph } from "./graph.ts";

export type Model = "poison" | "haircut" | "fifo";
export type Direction = "forward" | "backward";

/** Hop value meaning "no taint". Hops are small (≤ 13) and kept in Uint8Arrays. */
export const NOHOP = 255;
/** Asset id used for UTXO value (one asset per UTXO chain). */
export const UTXO_ASSET = -1;

export interface AddressLabels {
  categories: readonly string[];
  labels: readonly string[];
}

export interface ClusterInfo {
  clusterId: string | number | bigint;
  isService: boolean;
}

export type LabelLookup =
  | ((address: string) => AddressLabels | undefined)
  | ReadonlyMap<string, AddressLabels>;
export type ClusterLookup = ((address: string) => ClusterInfo | undefined) | ReadonlyMap<string, ClusterInfo>;

export interface AddrInfo {
  labels: string[];
  categories: string[];
  cluster: ClusterInfo | null;
  /** Taint into it is reported and not followed. */
  stop: boolean;
  /** An endpoint candidate: labelled, or in a service cluster. */
  endpoint: boolean;
}

/** Taint received by one address in one asset. */
export interface NodeAgg {
  addr: number;
  asset: number;
  amount: Amount;
  /** Fewest hops among the pieces that reached it. */
  hop: number;
  /** Part of `amount` that arrived at hop 1 (direct counterparty). */
  direct: Amount;
}

/** Thrown by an eager run when it would expand more addresses than the budget allows. */
export class BudgetExceeded extends Error {}

export interface EngineOptions {
  forward: boolean;
  model: Model;
  maxHops: number;
  minValue: Amount;
  stopAt: ReadonlySet<string>;
  labels: LabelLookup | undefined;
  clusters: ClusterLookup | undefined;
  maxAddresses: number;
  /** Link search: structural distance to the targets, NOHOP when out of reach; null = no pruning. */
  prune: Uint8Array | null;
}

/** One piece of taint on the path graph: an output, an input or a transfer, by propagator. */
export interface PathLink {
  /** Previous piece (towards the start), or -1 when the start is reached. */
  prev: number;
  txid: string;
  from: number;
  to: number;
  /** Aggregated edge amount (txid, from, to, asset). */
  amount: Amount;
  /** Sort weight when fan-in is capped. */
  weight: Amount;
}

export interface Propagator {
  /** Start addresses: pin their pieces (called before any expansion). */
  pinStarts(starts: readonly number[]): void;
  /** The address is expanded: follow its tainted pieces; `key` is the sweep position (or -Infinity). */
  onExpand(addr: number, key: number): void;
  /** Propagates until nothing changes. */
  sweep(): void;
  /** Aggregated edges after the fixpoint. */
  edges(
    emit: (txid: string, from: number, to: number, asset: number, amount: Amount, hop: number) => void,
  ): void;
  /** Pieces delivered to an endpoint (address, asset). */
  endpointPieces(addr: number, asset: number): number[];
  /** Links from a piece towards the start (fan-in capped by the caller). */
  links(piece: number): PathLink[];
  readonly txsVisited: number;
  /** Taint of one piece after the run (forward UTXO: output index; backward: input index; account: transfer). */
  pieceTaint(piece: number): Amount;
}

function lookup<T>(
  l: ((a: string) => T | undefined) | ReadonlyMap<string, T> | undefined,
  a: string,
): T | undefined {
  if (!l) return undefined;
  return typeof l === "function" ? l(a) : l.get(a);
}

const UNLABELLED: AddrInfo = Object.freeze({
  labels: Object.freeze([]) as unknown as string[],
  categories: Object.freeze([]) as unknown as string[],
  cluster: null,
  stop: false,
  endpoint: false,
});

export class TraceCtx {
  readonly forward: boolean;
  readonly expanded: Uint8Array;
  readonly isStart: Uint8Array;
  /** Fewest hops over all assets, NOHOP when not reached. */
  readonly addrHop: Uint8Array;
  /** Biggest per-asset amount of each reached address (expansion priority). */
  readonly addrBest = new Map<number, Amount>();
  readonly addrAssets = new Map<number, number[]>();
  readonly nodes = new Map<number, NodeAgg>();
  readonly candidates = new Set<number>();
  readonly missingTx = new Set<string>();
  readonly missingAddr = new Set<number>();
  readonly props: Propagator[] = [];
  eager = true;
  expandedCount = 0;
  truncated = false;
  private readonly info = new Map<number, AddrInfo>();
  /** Assets per address slot in a cell key (UTXO value is asset -1). */
  private readonly span: number;

  constructor(
    readonly g: FlowGraph,
    readonly o: EngineOptions,
  ) {
    this.forward = o.forward;
    const n = g.addressCount;
    this.expanded = new Uint8Array(n);
    this.isStart = new Uint8Array(n);
    this.addrHop = new Uint8Array(n).fill(NOHOP);
    this.span = g.assetCount + 1;
  }

  /** Key of an (address, asset) cell: small integers stay small (fast map keys). */
  cellKey(addr: number, asset: number): number {
    return addr * this.span + asset + 1;
  }

  addrInfo(addr: number): AddrInfo {
    let i = this.info.get(addr);
    if (i) return i;
    const a = this.g.address(addr);
    const l = lookup(this.o.labels, a);
    const c = lookup(this.o.clusters, a) ?? null;
    if (!l && !c) {
      this.info.set(addr, UNLABELLED);
      return UNLABELLED;
    }
    const categories = [...new Set(l?.categories ?? [])].sort();
    const labels = [...new Set(l?.labels ?? [])].sort();
    const stop = categories.some((k) => this.o.stopAt.has(k)) || c?.isService === true;
    i = {
      labels,
      categories,
      cluster: c,
      stop,
      endpoint: categories.length > 0 || labels.length > 0 || stop,
    };
    this.info.set(addr, i);
    return i;
  }

  node(addr: number, asset: number): NodeAgg | undefined {
    return this.nodes.get(this.cellKey(addr, asset));
  }

  /** A piece delivered to (addr, asset) changed from (oldAmt, oldHop) to (newAmt, newHop). */
  onPiece(addr: number, asset: number, oldAmt: Amount, oldHop: number, newAmt: Amount, newHop: number): void {
    const key = this.cellKey(addr, asset);
    let n = this.nodes.get(key);
    if (!n) {
      n = { addr, asset, amount: 0n, hop: NOHOP, direct: 0n };
      this.nodes.set(key, n);
      const list = this.addrAssets.get(addr);
      if (list) list.push(asset);
      else this.addrAssets.set(addr, [asset]);
    }
    n.amount += newAmt - oldAmt;
    if (oldHop === 1 && oldAmt > 0n) n.direct -= oldAmt;
    if (newHop === 1) n.direct += newAmt;
    if (newAmt > 0n && newHop < n.hop) n.hop = newHop;
    if (newHop < this.addrHop[addr]!) this.addrHop[addr] = newHop;
    const best = this.addrBest.get(addr);
    if (best === undefined || n.amount > best) this.addrBest.set(addr, n.amount);
  }

  eligible(addr: number): boolean {
    const h = this.addrHop[addr]!;
    if (h >= this.o.maxHops) return false;
    if (this.addrInfo(addr).stop) return false;
    const p = this.o.prune;
    return p === null || p[addr]! + h <= this.o.maxHops;
  }

  /** Taint reached a not-yet-expanded address (or changed there). */
  reached(addr: number, key: number): void {
    if (this.expanded[addr]) return;
    if (!this.eager) {
      this.candidates.add(addr);
      return;
    }
    if (this.eligible(addr)) this.expand(addr, key);
  }

  expand(addr: number, key: number): void {
    if (this.expanded[addr]) return;
    this.expanded[addr] = 1;
    this.expandedCount++;
    if (this.expandedCount > this.o.maxAddresses && !this.isStart[addr]) throw new BudgetExceeded();
    for (const p of this.props) p.onExpand(addr, key);
  }

  sweep(): void {
    for (const p of this.props) p.sweep();
  }
}

/** Appends [s, e) to a flat sorted interval list, merging with the last interval when adjacent. */
export function pushInterval(out: bigint[], s: bigint, e: bigint): void {
  const n = out.length;
  if (n > 0 && out[n - 1] === s) out[n - 1] = e;
  else out.push(s, e);
}

/** bigint max / min (Math.max and Math.min do not take bigints). */
export function bmax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
export function bmin(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
