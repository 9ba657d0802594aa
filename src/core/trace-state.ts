/**
 * State of one trace run shared by the UTXO and account sweeps: which addresses are expanded, the
 * fewest hops that reached each, labels and stops, the budget and what is missing. Everything sized
 * by the graph lives in a scratch kept with the graph and reused by the next trace (first touches
 * of fresh memory are what costs), reset by `fill` at the start of a run.
 */
import type { Amount } from "../domain.ts";
import { type TraceGraph, Values } from "./trace-graph.ts";

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

export interface AddrInfo {
  labels: string[];
  categories: string[];
  cluster: ClusterInfo | null;
  /** Taint into it is reported and not followed. */
  stop: boolean;
  /** An endpoint candidate: labelled, or in a service cluster. */
  endpoint: boolean;
}

/** Thrown by an eager run when it would expand more addresses than the budget allows. */
export class BudgetExceeded extends Error {}

export interface EngineOptions {
  forward: boolean;
  model: Model;
  maxHops: number;
  minValue: Amount;
  /** Labelled or service addresses (graph ids). */
  info: ReadonlyMap<number, AddrInfo>;
  maxAddresses: number;
  /** Link search: structural distance to the targets, NOHOP when out of reach; null = no pruning. */
  prune: Uint8Array | null;
  /** Every address's stored history counts as complete (there is no source to ask for more). */
  allComplete: boolean;
  /** Only transactions in these blocks (inclusive) carry taint; null: all. */
  heights: HeightWindow | null;
}

/** Block heights, both ends included; unconfirmed transactions sort after every block. */
export interface HeightWindow {
  from: number;
  to: number;
}

const A_STOP = 1;

/** Typed arrays sized by the graph, kept between traces. */
export class Scratch {
  version = -1;
  // per address
  expanded: Uint8Array = new Uint8Array(0);
  isStart: Uint8Array = new Uint8Array(0);
  addrHop: Uint8Array = new Uint8Array(0);
  aflags: Uint8Array = new Uint8Array(0);
  // per transfer (account pieces)
  tHop: Uint8Array = new Uint8Array(0);
  tTaint = new Values(0);
  // per cell
  cellHop: Uint8Array = new Uint8Array(0);
  active: Uint8Array = new Uint8Array(0);
  mh: Uint8Array = new Uint8Array(0);
  bal: bigint[] = [];
  tbal: bigint[] = [];
  // per account transaction
  txSeen: Uint8Array = new Uint8Array(0);
  // UTXO: per output, per input, per tx
  oHop: Uint8Array = new Uint8Array(0);
  oTaint = new Values(0);
  iHop: Uint8Array = new Uint8Array(0);
  iTaint = new Values(0);
  dirty: Uint32Array = new Uint32Array(0);
  visited: Uint8Array = new Uint8Array(0);

  private amounts = false;

  /**
   * Grows to the graph (capacity with room, so a growing graph does not reallocate every time).
   * `amounts`: per-transfer taint and per-cell balances too (haircut, fifo; poison needs hops only).
   */
  fit(g: TraceGraph, amounts: boolean): this {
    if (this.version === g.version && (this.amounts || !amounts)) return this;
    this.version = g.version;
    this.amounts ||= amounts;
    const room = (n: number) => n + (n >> 3) + 64;
    const u8 = (a: Uint8Array, n: number) => (a.length >= n ? a : new Uint8Array(room(n)));
    const vals = (v: Values, n: number) => (v.lo.length >= n ? v : new Values(room(n)));
    this.expanded = u8(this.expanded, g.addressCount);
    this.isStart = u8(this.isStart, g.addressCount);
    this.addrHop = u8(this.addrHop, g.addressCount);
    this.aflags = u8(this.aflags, g.addressCount);
    this.tHop = u8(this.tHop, g.n);
    if (this.amounts) this.tTaint = vals(this.tTaint, g.n);
    this.cellHop = u8(this.cellHop, g.cellCount);
    this.active = u8(this.active, g.cellCount);
    this.mh = u8(this.mh, g.cellCount);
    if (this.amounts && this.bal.length < g.cellCount) {
      this.bal = new Array<bigint>(room(g.cellCount)).fill(0n);
      this.tbal = new Array<bigint>(room(g.cellCount)).fill(0n);
    }
    this.txSeen = u8(this.txSeen, g.txKeyCount);
    this.oHop = u8(this.oHop, g.nOut);
    this.oTaint = vals(this.oTaint, g.nOut);
    this.iHop = u8(this.iHop, g.nIn);
    this.iTaint = vals(this.iTaint, g.nIn);
    if (this.dirty.length * 32 < g.txCount) this.dirty = new Uint32Array(room(g.txCount) >> 5);
    this.visited = u8(this.visited, g.txCount);
    return this;
  }
}

const scratches = new WeakMap<TraceGraph, Scratch>();
export function scratchOf(g: TraceGraph, amounts: boolean): Scratch {
  let s = scratches.get(g);
  if (!s) {
    s = new Scratch();
    scratches.set(g, s);
  }
  return s.fit(g, amounts);
}

/** Hooks a sweep gives the state: an address was expanded. */
export interface Sweep {
  onExpand(addr: number, at: number): void;
}

export class TraceState {
  readonly forward: boolean;
  readonly s: Scratch;
  readonly expanded: Uint8Array;
  readonly isStart: Uint8Array;
  readonly addrHop: Uint8Array;
  /** Addresses that received taint (in the order they first did). */
  reached: number[] = [];
  readonly missingAddr = new Set<number>();
  /** Inputs whose previous tx is not loaded; outputs whose spender is not loaded. */
  readonly missingPrevOf = new Set<number>();
  readonly missingSpenderOf = new Set<number>();
  readonly sweeps: Sweep[] = [];
  eager = true;
  expandedCount = 0;
  truncated = false;

  constructor(
    readonly g: TraceGraph,
    readonly o: EngineOptions,
    readonly starts: readonly number[],
  ) {
    this.forward = o.forward;
    this.s = scratchOf(g, o.model !== "poison");
    const n = g.addressCount;
    this.expanded = this.s.expanded;
    this.isStart = this.s.isStart;
    this.addrHop = this.s.addrHop;
    this.expanded.fill(0, 0, n);
    this.isStart.fill(0, 0, n);
    this.addrHop.fill(NOHOP, 0, n);
    this.s.aflags.fill(0, 0, n);
    for (const [a, info] of o.info) if (info.stop) this.s.aflags[a]! |= A_STOP;
    for (const a of starts) this.isStart[a] = 1;
  }

  historyComplete(addr: number): boolean {
    return this.o.allComplete || this.g.historyComplete(addr);
  }

  info(addr: number): AddrInfo | undefined {
    return this.o.info.get(addr);
  }

  isStop(addr: number): boolean {
    return (this.s.aflags[addr]! & A_STOP) !== 0;
  }

  eligible(addr: number): boolean {
    const h = this.addrHop[addr]!;
    if (h >= this.o.maxHops) return false;
    if ((this.s.aflags[addr]! & A_STOP) !== 0) return false;
    const p = this.o.prune;
    return p === null || p[addr]! + h <= this.o.maxHops;
  }

  /** A piece with hop h reached a non-start address. */
  onPiece(addr: number, h: number): void {
    const old = this.addrHop[addr]!;
    if (old === NOHOP) this.reached.push(addr);
    if (h < old) this.addrHop[addr] = h;
  }

  /** Taint reached an address that is not expanded: expand it now when eager and it qualifies. */
  reachedUnexpanded(addr: number, at: number): void {
    if (this.eager && this.eligible(addr)) this.expand(addr, at);
  }

  /** `at`: sweep position from which the expansion holds (account); UTXO expansion is timeless. */
  expand(addr: number, at: number): void {
    if (this.expanded[addr]) return;
    this.expanded[addr] = 1;
    this.expandedCount++;
    if (this.expandedCount > this.o.maxAddresses && !this.isStart[addr]) throw new BudgetExceeded();
    for (const s of this.sweeps) s.onExpand(addr, at);
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

/** One piece of taint on the route graph: an output, an input or a transfer. */
export interface RouteLink {
  /** Previous piece (towards the start), or -1 when the start is reached. */
  prev: number;
  /** What names the hop's transaction: a UTXO tx id, or an account transfer index. */
  ref: number;
  /** Identity of the hop's transaction (UTXO tx id, account transaction key). */
  txKey: number;
  from: number;
  to: number;
  /** Aggregated edge amount (transaction, from, to, asset). */
  amount: Amount;
  /** Sort weight when fan-in is capped. */
  weight: Amount;
}

/** What result assembly and route search need from a sweep once it is done. */
export interface Finished {
  readonly isUtxo: boolean;
  readonly txsVisited: number;
  /** Taint received by an address in its assets: [asset, amount, hop, direct][] (start: its pinned receipts). */
  nodesOf(addr: number): { asset: number; amount: Amount; hop: number; direct: Amount }[];
  /** Pieces delivered to an endpoint (address, asset). */
  endpointPieces(addr: number, asset: number): number[];
  /** Links from a piece towards the start (fan-in capped by the caller). */
  links(piece: number): RouteLink[];
  /** Aggregated edges after the fixpoint. */
  edges(
    emit: (
      ref: number,
      txKey: number,
      from: number,
      to: number,
      asset: number,
      amount: Amount,
      hop: number,
    ) => void,
  ): void;
  /** Taint of one piece (forward UTXO: output; backward UTXO: input; account: transfer). */
  pieceTaint(piece: number): Amount;
}
