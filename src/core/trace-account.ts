/**
 * Account-model propagation (EVM, Tron): per (address, asset) "cell", a model state walks the
 * address's transfers in chain order. Taint of ETH and of each token are separate flows (cells).
 *
 * Roles: a cell's "receipts" add to its balance, its "spends" take value (and taint) out.
 * Forward, receipts are incoming transfers and spends outgoing ones (fees included). Backward
 * mirrors time and direction: the cell walks its history from the end, receipts are its OUTGOING
 * transfers (carrying backward taint: "this much of what it sent went on towards the start"), spends
 * are its INCOMING transfers (the taint is attributed back to their senders).
 *
 * Balance (forward): Σ successful receipts − Σ successful spends − Σ fees, in chain order. When a
 * spend exceeds the known balance (history not loaded, genesis allocation, block reward), the
 * shortfall is clean value of unknown origin: the balance is topped up to the spend first.
 * Backward the walk starts from the final balance (clean) and runs the same rules in reverse.
 *
 * - poison: every spend after the first tainted receipt carries its full value.
 * - haircut: tainted balance tb ≤ balance b; a spend of v carries floor(v · tb / b) (all of tb
 *   when v = b) and both drop; a receipt adds its value to b and its taint to tb.
 * - fifo: receipts are lots in a queue (as consecutive intervals of one stream), a spend consumes
 *   the oldest value first; its taint is the overlap with tainted lot intervals. Backward, the same
 *   matching (computed forward in a pre-pass) is read the other way: an incoming transfer's
 *   backward taint is the overlap of its lot with the backward-tainted parts of later spends.
 *
 * Failed transfers move nothing (skipped); fees are always paid (a reverted call still pays gas):
 * a fee spends from its payer and is never delivered, so its taint leaves the system as a UTXO fee
 * does. A fee row's recipient (if any) receives clean value.
 *
 * Hop of a spend: 1 + the fewest hops among the tainted value it spends: poison: any tainted
 * receipt so far; haircut: tainted receipts since the balance was last zero; fifo: the lots it
 * consumes.
 *
 * Propagation is a sweep over a heap of cells ordered by the global chain position of their next
 * entry: taint only flows forward in time (backward: backwards), so a cell is processed once per
 * sweep. A cell that gets new taint at position p is activated there: its state is rebuilt by
 * replaying its entries before p (no deliveries; they cannot have changed).
 */
import type { Amount } from "../domain.ts";
import type { FlowGraph } from "./graph.ts";
import {
  bmax,
  bmin,
  NOHOP,
  type PathLink,
  type Propagator,
  pushInterval,
  type TraceCtx,
} from "./trace-context.ts";
import { KeyHeap } from "./trace-heap.ts";

interface CellModel {
  /** Result of the last spend: carried taint, hop, fifo intervals (null = none or full). */
  c: Amount;
  h: number;
  ivs: bigint[] | null;
  /** Path recording: tainted receipts [lo, hi) that fed the last spend. */
  lo: number;
  hi: number;
  receipt(t: number, v: Amount, d: Amount, h: number, ivs: bigint[] | undefined, coord: Amount): void;
  spend(v: Amount, coord: Amount): void;
}

class PoisonModel implements CellModel {
  c = 0n;
  h = NOHOP;
  ivs = null;
  lo = 0;
  hi = 0;
  private tainted = false;
  private mh = NOHOP;
  constructor(private readonly rec: number[] | null) {}
  receipt(t: number, _v: Amount, d: Amount, h: number): void {
    if (d > 0n) {
      this.tainted = true;
      if (h < this.mh) this.mh = h;
      this.rec?.push(t);
    }
  }
  spend(v: Amount): void {
    this.c = this.tainted ? v : 0n;
    this.h = this.tainted ? this.mh + 1 : NOHOP;
    if (this.rec) this.hi = this.rec.length;
  }
}

/** Backward start cell: every successful receipt of the start is a hop-1 piece at its sender, in full. */
class PinnedModel implements CellModel {
  c = 0n;
  h = 1;
  ivs = null;
  lo = 0;
  hi = 0;
  receipt(): void {}
  spend(v: Amount): void {
    this.c = v;
  }
}

class HaircutModel implements CellModel {
  c = 0n;
  h = NOHOP;
  ivs = null;
  lo = 0;
  hi = 0;
  private tb = 0n;
  private mh = NOHOP;
  private resetAt = 0;
  constructor(
    private b: Amount,
    private readonly rec: number[] | null,
  ) {}
  receipt(t: number, v: Amount, d: Amount, h: number): void {
    this.b += v;
    if (d > 0n) {
      this.tb += d;
      if (h < this.mh) this.mh = h;
      this.rec?.push(t);
    }
  }
  spend(v: Amount): void {
    const b = v > this.b ? v : this.b; // shortfall: clean top-up
    const tb = this.tb;
    const c = tb === 0n ? 0n : v === b ? tb : (v * tb) / b;
    this.c = c;
    this.h = c > 0n ? this.mh + 1 : NOHOP;
    this.b = b - v;
    this.tb = tb - c;
    if (this.rec) {
      this.lo = this.resetAt;
      this.hi = this.rec.length;
    }
    if (this.b === 0n) {
      this.mh = NOHOP;
      if (this.rec) this.resetAt = this.rec.length;
    }
  }
}

/** Forward fifo: tainted segments of the receipt stream, ascending; spends consume from the head. */
class FifoForward implements CellModel {
  c = 0n;
  h = NOHOP;
  ivs: bigint[] | null = null;
  lo = 0;
  hi = 0;
  private rcum = 0n;
  private scum = 0n;
  private segS: bigint[] = [];
  private segE: bigint[] = [];
  private segH: number[] = [];
  private segR: number[] = [];
  private head = 0;
  constructor(private readonly rec: number[] | null) {}
  receipt(t: number, v: Amount, d: Amount, h: number, ivs: bigint[] | undefined): void {
    if (d > 0n) {
      const r = this.rec ? this.rec.length : -1;
      this.rec?.push(t);
      const local = ivs ?? [0n, d];
      for (let j = 0; j < local.length; j += 2) {
        this.segS.push(this.rcum + local[j]!);
        this.segE.push(this.rcum + local[j + 1]!);
        this.segH.push(h);
        this.segR.push(r);
      }
    }
    this.rcum += v;
  }
  spend(v: Amount): void {
    const lo = this.scum;
    const hi = lo + v;
    if (hi > this.rcum) this.rcum = hi;
    const { segS, segE } = this;
    const out: bigint[] = [];
    let c = 0n;
    let mh = NOHOP;
    let rlo = Number.MAX_SAFE_INTEGER;
    let rhi = -1;
    for (let j = this.head; j < segS.length && segS[j]! < hi; j++) {
      const s = bmax(segS[j]!, lo);
      const e = bmin(segE[j]!, hi);
      if (e <= s) continue;
      pushInterval(out, s - lo, e - lo);
      c += e - s;
      if (this.segH[j]! < mh) mh = this.segH[j]!;
      if (this.segR[j]! < rlo) rlo = this.segR[j]!;
      if (this.segR[j]! > rhi) rhi = this.segR[j]!;
    }
    while (this.head < segS.length && segE[this.head]! <= hi) this.head++;
    if (this.head > 1024 && this.head * 2 > segS.length) this.compact();
    this.scum = hi;
    this.c = c;
    this.h = c > 0n ? mh + 1 : NOHOP;
    this.ivs = c > 0n && c < v ? out : null;
    if (rhi >= 0) {
      this.lo = rlo;
      this.hi = rhi + 1;
    } else this.lo = this.hi = 0;
  }
  private compact(): void {
    const h = this.head;
    this.segS = this.segS.slice(h);
    this.segE = this.segE.slice(h);
    this.segH = this.segH.slice(h);
    this.segR = this.segR.slice(h);
    this.head = 0;
  }
}

/**
 * Backward fifo: walks time backwards. Receipts (outgoing transfers) add backward-tainted segments
 * of the spend stream at their forward coordinates (descending); spends (incoming transfers, at
 * their receipt-stream coordinates) take the overlap.
 */
class FifoBackward implements CellModel {
  c = 0n;
  h = NOHOP;
  ivs: bigint[] | null = null;
  lo = 0;
  hi = 0;
  private segS: bigint[] = [];
  private segE: bigint[] = [];
  private segH: number[] = [];
  private segR: number[] = [];
  private head = 0;
  constructor(private readonly rec: number[] | null) {}
  receipt(t: number, _v: Amount, d: Amount, h: number, ivs: bigint[] | undefined, coord: Amount): void {
    if (d <= 0n) return;
    const r = this.rec ? this.rec.length : -1;
    this.rec?.push(t);
    const local = ivs ?? [0n, d];
    for (let j = local.length - 2; j >= 0; j -= 2) {
      this.segS.push(coord + local[j]!);
      this.segE.push(coord + local[j + 1]!);
      this.segH.push(h);
      this.segR.push(r);
    }
  }
  spend(v: Amount, coord: Amount): void {
    const lo = coord;
    const hi = coord + v;
    const { segS, segE } = this;
    while (this.head < segS.length && segS[this.head]! >= hi) this.head++;
    const rev: bigint[] = [];
    let c = 0n;
    let mh = NOHOP;
    let rlo = Number.MAX_SAFE_INTEGER;
    let rhi = -1;
    for (let j = this.head; j < segS.length && segE[j]! > lo; j++) {
      const s = bmax(segS[j]!, lo);
      const e = bmin(segE[j]!, hi);
      if (e <= s) continue;
      rev.push(s - lo, e - lo);
      c += e - s;
      if (this.segH[j]! < mh) mh = this.segH[j]!;
      if (this.segR[j]! < rlo) rlo = this.segR[j]!;
      if (this.segR[j]! > rhi) rhi = this.segR[j]!;
    }
    while (this.head < segS.length && segS[this.head]! >= lo) this.head++;
    if (this.head > 1024 && this.head * 2 > segS.length) {
      const h = this.head;
      this.segS = this.segS.slice(h);
      this.segE = this.segE.slice(h);
      this.segH = this.segH.slice(h);
      this.segR = this.segR.slice(h);
      this.head = 0;
    }
    const out: bigint[] = [];
    for (let j = rev.length - 2; j >= 0; j -= 2) pushInterval(out, rev[j]!, rev[j + 1]!);
    this.c = c;
    this.h = c > 0n ? mh + 1 : NOHOP;
    this.ivs = c > 0n && c < v ? out : null;
    if (rhi >= 0) {
      this.lo = rlo;
      this.hi = rhi + 1;
    } else this.lo = this.hi = 0;
  }
}

const EMPTY = new Int32Array(0);

interface EdgeAgg {
  t: number;
  from: number;
  to: number;
  asset: number;
  amount: Amount;
  hop: number;
}

interface Cell {
  id: number;
  addr: number;
  asset: number;
  list: ArrayLike<number>;
  pos: number;
  nextKey: number;
  active: boolean;
  m: CellModel | null;
  coords: bigint[] | null;
}

interface Replay {
  rec: number[];
  ranges: Map<number, [number, number]>;
}

export class AccountPropagator implements Propagator {
  private readonly g: FlowGraph;
  private readonly fwd: boolean;
  private readonly n: number;
  /** transfer → taint delivered to its receiver (forward) or its sender (backward) */
  private readonly amt = new Map<number, Amount>();
  private readonly hop: Uint8Array;
  private readonly iv = new Map<number, bigint[]>();
  private readonly cells: Cell[] = [];
  private readonly cellIds = new Map<number, number>();
  private readonly heap = new KeyHeap();
  private readonly txKeys = new Set<number>();
  private readonly replays = new Map<number, Replay>();
  private readonly assetLists = new Map<number, Map<number, ArrayLike<number>>>();
  /** Per-asset counters for listFor (all zero between calls). */
  private readonly scratch: Int32Array;
  private edgeIndex: Map<number, EdgeAgg[]> | null = null;

  constructor(private readonly ctx: TraceCtx) {
    this.g = ctx.g;
    this.fwd = ctx.forward;
    this.n = this.g.transferCount;
    this.hop = new Uint8Array(this.n).fill(NOHOP);
    this.scratch = new Int32Array(this.g.assetCount);
  }

  pieceTaint(piece: number): Amount {
    return this.amt.get(piece) ?? 0n;
  }

  get txsVisited(): number {
    return this.txKeys.size;
  }

  private key(entry: number): number {
    const r = this.g.transferRank(entry >> 1);
    return this.fwd ? r * 2 + (entry & 1) : (this.n - 1 - r) * 2 + 1 - (entry & 1);
  }

  private isSpend(entry: number): boolean {
    return this.fwd ? (entry & 1) === 0 : (entry & 1) === 1;
  }

  /** Next list position after `pos` in processing order (lists hold relevant entries only). */
  private next(_list: ArrayLike<number>, _asset: number, pos: number): number {
    return this.fwd ? pos + 1 : pos - 1;
  }

  /**
   * The address's relevant entries (successful, or fees) of one asset, in chain order. Built for
   * all assets of the address in one scan, the first time one of its cells is needed; when every
   * entry qualifies, the graph's own list is used as is.
   */
  private listFor(addr: number, asset: number): ArrayLike<number> {
    let byAsset = this.assetLists.get(addr);
    if (!byAsset) {
      byAsset = new Map();
      this.assetLists.set(addr, byAsset);
      const g = this.g;
      const all = g.transfersOf(addr);
      // pass 1: count per asset (scratch counters indexed by asset id)
      const counts = this.scratch;
      const touched: number[] = [];
      let skipped = 0;
      for (let p = 0; p < all.length; p++) {
        const t = all[p]! >> 1;
        if (!g.transferSuccess(t) && g.transferKind(t) !== "fee") {
          skipped++;
          continue;
        }
        const a = g.transferAsset(t);
        if (counts[a]!++ === 0) touched.push(a);
      }
      if (skipped === 0 && touched.length === 1) byAsset.set(touched[0]!, all);
      else {
        // pass 2: fill exact-size arrays
        const lists: Int32Array[] = [];
        for (const a of touched) {
          lists[a] = new Int32Array(counts[a]!);
          counts[a] = 0;
        }
        for (let p = 0; p < all.length; p++) {
          const e = all[p]!;
          const t = e >> 1;
          if (!g.transferSuccess(t) && g.transferKind(t) !== "fee") continue;
          const a = g.transferAsset(t);
          lists[a]![counts[a]!++] = e;
        }
        for (const a of touched) byAsset.set(a, lists[a]!);
      }
      for (const a of touched) counts[a] = 0;
    }
    return byAsset.get(asset) ?? EMPTY;
  }

  private valid(list: ArrayLike<number>, pos: number): boolean {
    return pos >= 0 && pos < list.length;
  }

  private newModel(
    cell: { list: ArrayLike<number>; asset: number; coords: bigint[] | null },
    rec: number[] | null,
    pinned = false,
  ): CellModel {
    const model = this.ctx.o.model;
    if (pinned) return new PinnedModel();
    if (model === "poison") return new PoisonModel(rec);
    if (this.fwd) return model === "haircut" ? new HaircutModel(0n, rec) : new FifoForward(rec);
    // backward: a forward pre-pass gives the final balance (haircut) or the stream coordinates (fifo)
    const { list } = cell;
    const g = this.g;
    let b = 0n;
    let rcum = 0n;
    let scum = 0n;
    const coords: bigint[] | null = model === "fifo" ? new Array(list.length) : null;
    for (let p = 0; p < list.length; p++) {
      const e = list[p]!;
      const v = g.transferValue(e >> 1);
      if ((e & 1) === 1) {
        if (coords) coords[p] = rcum;
        rcum += v;
        b += v;
      } else {
        b = v > b ? 0n : b - v;
        if (scum + v > rcum) rcum = scum + v;
        if (coords) coords[p] = scum;
        scum += v;
      }
    }
    cell.coords = coords;
    return model === "haircut" ? new HaircutModel(b, rec) : new FifoBackward(rec);
  }

  /** Processes one entry; returns the list entry (transfer * 2 + side), negative when it was a spend. */
  private step(
    cell: { list: ArrayLike<number>; m: CellModel | null; coords: bigint[] | null },
    pos: number,
  ): number {
    const e = cell.list[pos]!;
    const t = e >> 1;
    const v = this.g.transferValue(t);
    const coord = cell.coords ? cell.coords[pos]! : 0n;
    const m = cell.m!;
    if (this.isSpend(e)) {
      m.spend(v, coord);
      return -1 - t;
    }
    const h = this.hop[t]!;
    const d = h === NOHOP ? 0n : (this.amt.get(t) ?? 0n);
    m.receipt(t, v, d, h, d > 0n ? this.iv.get(t) : undefined, coord);
    return t;
  }

  pinStarts(starts: readonly number[]): void {
    const { g, ctx } = this;
    for (const a of starts) {
      const list = g.transfersOf(a);
      if (list.length > 0 && !g.historyComplete(a)) ctx.missingAddr.add(a);
      for (let p = 0; p < list.length; p++) {
        const e = list[p]!;
        const t = e >> 1;
        if ((e & 1) !== 1 || g.transferKind(t) === "fee" || !g.transferSuccess(t)) continue;
        const v = g.transferValue(t);
        if (v === 0n) continue;
        const asset = g.transferAsset(t);
        ctx.onPiece(a, asset, 0n, NOHOP, v, 0);
        if (this.fwd) {
          this.amt.set(t, v);
          this.hop[t] = 0;
        }
      }
    }
  }

  onExpand(addr: number, key: number): void {
    if (!this.g.historyComplete(addr) && this.g.transfersOf(addr).length > 0) this.ctx.missingAddr.add(addr);
    for (const asset of this.ctx.addrAssets.get(addr) ?? []) this.activateAt(addr, asset, key);
  }

  private activateAt(addr: number, asset: number, key: number): void {
    const ctx = this.ctx;
    const node = ctx.node(addr, asset);
    if (!node || node.hop >= ctx.o.maxHops) return;
    const ck = this.ctx.cellKey(addr, asset);
    let id = this.cellIds.get(ck);
    if (id === undefined) {
      id = this.cells.length;
      this.cellIds.set(ck, id);
      this.cells.push({
        id,
        addr,
        asset,
        list: this.listFor(addr, asset),
        pos: 0,
        nextKey: 0,
        active: false,
        m: null,
        coords: null,
      });
    }
    const cell = this.cells[id]!;
    if (cell.active) return;
    cell.active = true;
    // backward, a start cell delivers its receipts in full (in sweep order, like any other cell)
    cell.m = this.newModel(cell, null, !this.fwd && ctx.isStart[addr] === 1);
    const list = cell.list;
    let pos = this.next(list, asset, this.fwd ? -1 : list.length);
    while (this.valid(list, pos) && this.key(list[pos]!) < key) {
      this.step(cell, pos);
      pos = this.next(list, asset, pos);
    }
    if (!this.valid(list, pos)) {
      this.retire(cell);
      return;
    }
    cell.pos = pos;
    cell.nextKey = this.key(list[pos]!);
    this.heap.push(cell.nextKey, id);
  }

  private retire(cell: Cell): void {
    cell.active = false;
    cell.m = null;
    cell.coords = null;
  }

  sweep(): void {
    const heap = this.heap;
    while (heap.size > 0) {
      const k = heap.peekKey();
      const cell = this.cells[heap.pop()]!;
      if (!cell.active || cell.nextKey !== k) continue;
      this.run(cell);
    }
  }

  private run(cell: Cell): void {
    const heap = this.heap;
    const list = cell.list;
    for (;;) {
      const sKey = cell.nextKey;
      const r = this.step(cell, cell.pos);
      if (r < 0) {
        const t = -1 - r;
        const m = cell.m!;
        if (m.c > 0n && m.h <= this.ctx.o.maxHops) {
          this.txKeys.add(this.g.transferTxKey(t));
          this.deliver(cell.asset, t, m.c, m.h, m.ivs, sKey);
        }
      }
      const pos = this.next(list, cell.asset, cell.pos);
      if (!this.valid(list, pos)) {
        this.retire(cell);
        return;
      }
      cell.pos = pos;
      const nk = this.key(list[pos]!);
      cell.nextKey = nk;
      if (heap.size > 0 && nk > heap.peekKey()) {
        heap.push(nk, cell.id);
        return;
      }
    }
  }

  private deliver(asset: number, t: number, c: Amount, h: number, ivs: bigint[] | null, sKey: number): void {
    const { g, ctx } = this;
    if (g.transferKind(t) === "fee") return; // fees leave the system
    const recv = this.fwd ? g.transferTo(t) : g.transferFrom(t);
    if (recv < 0 || ctx.isStart[recv]) return;
    if (c === 0n || c < ctx.o.minValue || h > ctx.o.maxHops) return;
    const old = this.amt.get(t) ?? 0n;
    const oh = this.hop[t]!;
    if (c === old && h >= oh) return;
    this.amt.set(t, c);
    this.hop[t] = h;
    if (ivs) this.iv.set(t, ivs);
    else this.iv.delete(t);
    ctx.onPiece(recv, asset, old, oh, c, h);
    if (ctx.expanded[recv]) this.activateAt(recv, asset, sKey + 1);
    else ctx.reached(recv, sKey + 1);
  }

  private isPinned(t: number): boolean {
    return this.fwd && this.ctx.isStart[this.g.transferTo(t)] === 1 && this.hop[t] === 0;
  }

  edges(
    emit: (txid: string, from: number, to: number, asset: number, amount: Amount, hop: number) => void,
  ): void {
    const g = this.g;
    const byTx = new Map<number, EdgeAgg[]>();
    for (const [t, c] of this.amt) {
      if (c === 0n || this.isPinned(t)) continue;
      const tx = g.transferTxKey(t);
      const from = g.transferFrom(t);
      const to = g.transferTo(t);
      const asset = g.transferAsset(t);
      const list = byTx.get(tx);
      const e = list?.find((x) => x.from === from && x.to === to && x.asset === asset);
      if (e) {
        e.amount += c;
        if (this.hop[t]! < e.hop) e.hop = this.hop[t]!;
      } else {
        const agg = { t, from, to, asset, amount: c, hop: this.hop[t]! };
        if (list) list.push(agg);
        else byTx.set(tx, [agg]);
      }
    }
    this.edgeIndex = byTx;
    for (const list of byTx.values())
      for (const e of list) emit(g.transferTxid(e.t), e.from, e.to, e.asset, e.amount, e.hop);
  }

  endpointPieces(addr: number, asset: number): number[] {
    const list = this.g.transfersOf(addr);
    const side = this.fwd ? 1 : 0;
    const out: number[] = [];
    for (let p = 0; p < list.length; p++) {
      const e = list[p]!;
      if ((e & 1) !== side) continue;
      const t = e >> 1;
      if (this.g.transferAsset(t) === asset && (this.amt.get(t) ?? 0n) > 0n && !this.isPinned(t)) out.push(t);
    }
    return out;
  }

  /** Replays a cell from the start, recording which tainted receipts fed each spend. */
  private replay(addr: number, asset: number): Replay {
    const ck = this.ctx.cellKey(addr, asset);
    const cached = this.replays.get(ck);
    if (cached) return cached;
    const rec: number[] = [];
    const ranges = new Map<number, [number, number]>();
    const cell = {
      // the same per-asset list the sweep used: other assets (gas fees) must not enter this model
      list: this.listFor(addr, asset),
      asset,
      coords: null as bigint[] | null,
      m: null as CellModel | null,
    };
    cell.m = this.newModel(cell, rec);
    const list = cell.list;
    for (let pos = this.next(list, asset, this.fwd ? -1 : list.length); this.valid(list, pos); ) {
      const r = this.step(cell, pos);
      if (r < 0 && cell.m.c > 0n) ranges.set(-1 - r, [cell.m.lo, cell.m.hi]);
      pos = this.next(list, asset, pos);
    }
    const r = { rec, ranges };
    this.replays.set(ck, r);
    return r;
  }

  links(t: number): PathLink[] {
    const g = this.g;
    const from = g.transferFrom(t);
    const to = g.transferTo(t);
    const asset = g.transferAsset(t);
    const txid = g.transferTxid(t);
    const amount =
      this.edgeIndex
        ?.get(g.transferTxKey(t))
        ?.find((e) => e.from === from && e.to === to && e.asset === asset)?.amount ?? 0n;
    const src = this.fwd ? from : to;
    if (this.ctx.isStart[src]) return [{ prev: -1, txid, from, to, amount, weight: amount }];
    const r = this.replay(src, asset);
    const range = r.ranges.get(t);
    if (!range) return [];
    const out: PathLink[] = [];
    for (let k = range[0]; k < range[1]; k++) {
      const q = r.rec[k]!;
      out.push({ prev: q, txid, from, to, amount, weight: this.amt.get(q) ?? 0n });
    }
    return out;
  }
}
