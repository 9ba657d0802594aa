/**
 * Account-model propagation (EVM, Tron) as one sweep over the transfers in chain order (backward:
 * reverse chain order). Each (address, asset) "cell" keeps a balance; ETH and every token are separate
 * flows. Taint only moves forward in time (backward: backwards), so one pass reaches the fixpoint.
 *
 * Roles: a cell's "receipts" add to its balance, its "spends" take value (and taint) out. Forward,
 * receipts are incoming transfers and spends outgoing ones (fees included). Backward mirrors time and
 * direction: receipts are its OUTGOING transfers (carrying backward taint: "this much of what it sent
 * went on towards the start"), spends its INCOMING ones (the taint goes back to their senders).
 *
 * Balance (forward): Σ receipts − Σ spends in chain order; a spend larger than the known balance
 * (history not loaded, genesis, block reward) is topped up with clean value of unknown origin first.
 * Backward the walk starts from the final balance (clean) and runs the same rules in reverse.
 *
 * - poison: every spend after the first tainted receipt carries its full value. The state is just
 *   the fewest hops among the tainted receipts so far (`cellHop`), kept for every cell as it
 *   receives, so a poison sweep reads no amounts at all.
 * - haircut: tainted balance tb ≤ balance b; a spend of v carries floor(v · tb / b) (all of tb when
 *   v = b) and both drop; a receipt adds its value to b and its taint to tb.
 * - fifo: receipts are lots in a queue (intervals of one stream), a spend consumes the oldest value
 *   first; its taint is the overlap with tainted lot intervals. Backward reads the same matching
 *   (computed forward in a pre-pass) the other way.
 *
 * Failed transfers move nothing (skipped); fees are always paid and never delivered, so their taint
 * leaves as a UTXO fee does. A cell is active (its spends carry taint) once its address is expanded
 * and it holds taint of fewer than maxHops hops; it is then rebuilt by replaying its entries before
 * that point (no deliveries: they cannot have changed).
 *
 * Hop of a spend: 1 + the fewest hops among the tainted value it spends: poison: any tainted receipt
 * so far; haircut: tainted receipts since the balance was last zero; fifo: the lots it consumes.
 */
import type { Amount } from "../domain.ts";
import { F_KIND, F_NONZERO, F_SUCCESS, KIND_FEE, type TraceGraph, type Values } from "./trace-graph.ts";
import {
  bmax,
  bmin,
  type Finished,
  NOHOP,
  pushInterval,
  type RouteLink,
  type Sweep,
  type TraceState,
} from "./trace-state.ts";

/** `expand(addr, TIMELESS)`: the expansion holds for the whole history (starts, budget rounds, UTXO). */
export const TIMELESS = -1;

// ---------------------------------------------------------------------------------------------
// models with route recording (replays for paths) and the fifo queues of the live sweep

interface CellModel {
  c: Amount;
  h: number;
  ivs: bigint[] | null;
  /** Route recording: tainted receipts [lo, hi) that fed the last spend. */
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
  constructor(private readonly rec: number[]) {}
  receipt(t: number, _v: Amount, d: Amount, h: number): void {
    if (d > 0n) {
      this.tainted = true;
      if (h < this.mh) this.mh = h;
      this.rec.push(t);
    }
  }
  spend(v: Amount): void {
    this.c = this.tainted ? v : 0n;
    this.h = this.tainted ? this.mh + 1 : NOHOP;
    this.hi = this.rec.length;
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
    private readonly rec: number[],
  ) {}
  receipt(t: number, v: Amount, d: Amount, h: number): void {
    this.b += v;
    if (d > 0n) {
      this.tb += d;
      if (h < this.mh) this.mh = h;
      this.rec.push(t);
    }
  }
  spend(v: Amount): void {
    const b = v > this.b ? v : this.b;
    const tb = this.tb;
    const c = tb === 0n ? 0n : v === b ? tb : (v * tb) / b;
    this.c = c;
    this.h = c > 0n ? this.mh + 1 : NOHOP;
    this.b = b - v;
    this.tb = tb - c;
    this.lo = this.resetAt;
    this.hi = this.rec.length;
    if (this.b === 0n) {
      this.mh = NOHOP;
      this.resetAt = this.rec.length;
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
    if (this.head > 1024 && this.head * 2 > segS.length) {
      const h = this.head;
      this.segS = this.segS.slice(h);
      this.segE = this.segE.slice(h);
      this.segH = this.segH.slice(h);
      this.segR = this.segR.slice(h);
      this.head = 0;
    }
    this.scum = hi;
    this.c = c;
    this.h = c > 0n ? mh + 1 : NOHOP;
    this.ivs = c > 0n && c < v ? out : null;
    if (rhi >= 0) {
      this.lo = rlo;
      this.hi = rhi + 1;
    } else this.lo = this.hi = 0;
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

interface FifoCell {
  m: FifoForward | FifoBackward;
  /** Backward: stream coordinate of each entry (forward pre-pass). */
  coords: Map<number, bigint> | null;
}

interface EdgeAgg {
  t: number;
  from: number;
  to: number;
  asset: number;
  amount: Amount;
  hop: number;
}

// ---------------------------------------------------------------------------------------------

export class AccountSweep implements Sweep, Finished {
  readonly isUtxo = false;
  private readonly g: TraceGraph;
  private readonly fwd: boolean;
  private readonly model: "poison" | "haircut" | "fifo";
  private readonly maxHops: number;
  private readonly minValue: Amount;
  /** Per transfer: hop of the taint delivered (NOHOP: none), its amount (not poison), fifo intervals. */
  private readonly hop: Uint8Array;
  private readonly taint: Values;
  private readonly iv = new Map<number, bigint[]>();
  /** Per cell: fewest hops among the tainted receipts so far; active (its spends carry taint). */
  private readonly cellHop: Uint8Array;
  private readonly active: Uint8Array;
  // haircut state of active cells
  private readonly mh: Uint8Array;
  private readonly bal: bigint[];
  private readonly tbal: bigint[];
  private readonly fifo = new Map<number, FifoCell>();
  private readonly activated: number[] = [];
  /** Start cells with pinned receipts (backward: they deliver every receipt in full). */
  private readonly pinned = new Set<number>();
  private readonly txSeen: Uint8Array;
  private nTx = 0;
  /** First (forward) or last (backward) transfer the sweep needs to look at. */
  private from0: number;
  // result of the last spend
  private c = 0n;
  private h = NOHOP;
  private civ: bigint[] | null = null;
  private readonly replays = new Map<number, { rec: number[]; ranges: Map<number, [number, number]> }>();
  private readonly edgeCache = new Map<number, EdgeAgg[]>();

  constructor(private readonly st: TraceState) {
    const g = st.g;
    this.g = g;
    this.fwd = st.forward;
    this.model = st.o.model;
    this.maxHops = st.o.maxHops;
    this.minValue = st.o.minValue;
    const s = st.s;
    this.hop = s.tHop;
    this.taint = s.tTaint;
    this.cellHop = s.cellHop;
    this.active = s.active;
    this.mh = s.mh;
    this.bal = s.bal;
    this.tbal = s.tbal;
    this.txSeen = s.txSeen;
    this.hop.fill(NOHOP, 0, g.n);
    this.cellHop.fill(NOHOP, 0, g.cellCount);
    this.active.fill(0, 0, g.cellCount);
    this.txSeen.fill(0, 0, g.txKeyCount);
    this.from0 = this.fwd ? g.n : -1;
  }

  get txsVisited(): number {
    return this.nTx;
  }

  /** Releases per-cell bigints (the scratch arrays are reused by the next trace). */
  release(): void {
    for (const c of this.activated) {
      this.bal[c] = 0n;
      this.tbal[c] = 0n;
    }
  }

  private isPinnable(t: number): boolean {
    const f = this.g.flags[t]!;
    return (f & F_KIND) !== KIND_FEE && (f & F_SUCCESS) !== 0 && (f & F_NONZERO) !== 0;
  }

  /** Start addresses: their successful receipts are fully tainted (forward) or fully demanded (backward). */
  pinStarts(starts: readonly number[]): void {
    const g = this.g;
    for (const a of starts) {
      if (g.addrHasTransfers[a] && !this.st.historyComplete(a)) this.st.missingAddr.add(a);
      for (const c of g.cellsOf(a)) {
        const list = g.cellList(c);
        for (let p = 0; p < list.length; p++) {
          const e = list[p]!;
          const t = e >> 1;
          if ((e & 1) !== 1 || !this.isPinnable(t)) continue;
          if (!this.pinned.has(c)) {
            // the sweep starts where a pinned cell's history starts (its whole balance counts)
            this.pinned.add(c);
            if (this.fwd) this.from0 = Math.min(this.from0, list[0]! >> 1);
            else this.from0 = Math.max(this.from0, list[list.length - 1]! >> 1);
          }
          if (this.fwd) {
            this.hop[t] = 0;
            if (this.model !== "poison") this.taint.set(t, g.transferValue(t));
          }
        }
      }
    }
  }

  onExpand(addr: number, at: number): void {
    const g = this.g;
    if (!this.st.historyComplete(addr) && g.addrHasTransfers[addr]) this.st.missingAddr.add(addr);
    const start = this.st.isStart[addr] === 1;
    for (const c of g.cellsOf(addr)) {
      if (this.active[c]) continue;
      if (start) {
        if (this.pinned.has(c)) this.activate(c, TIMELESS);
      } else if (this.cellHop[c]! < this.maxHops) this.activate(c, at);
    }
  }

  // ------------------------------------------------------------------------------ the sweep

  run(): void {
    if (this.model === "poison") this.sweepPoison();
    else this.sweepModel();
  }

  private visitTx(t: number): void {
    const k = this.g.txKey[t]!;
    if (this.txSeen[k] === 0) {
      this.txSeen[k] = 1;
      this.nTx++;
    }
  }

  /** Poison: hops only. */
  private sweepPoison(): void {
    const g = this.g;
    const { flags, fromCell, toCell, n } = g;
    const { active, cellHop, hop, maxHops, minValue, fwd } = this;
    const pinned = this.pinned;
    if (fwd) {
      for (let t = this.from0; t < n; t++) {
        const f = flags[t]!;
        const fee = (f & F_KIND) === KIND_FEE;
        if (!fee && (f & F_SUCCESS) === 0) continue;
        const s = fromCell[t]!;
        if (active[s] === 1) {
          const ch = cellHop[s]!;
          if (ch !== NOHOP && (f & F_NONZERO) !== 0 && ch + 1 <= maxHops) {
            this.visitTx(t);
            if (!fee && (minValue === 0n || g.transferValue(t) >= minValue))
              this.deliver(t, 0n, ch + 1, null);
          }
        }
        const r = toCell[t]!;
        if (r >= 0 && hop[t] === 0) cellHop[r] = 0; // a start's pinned receipt
      }
    } else {
      for (let t = this.from0; t >= 0; t--) {
        const f = flags[t]!;
        const fee = (f & F_KIND) === KIND_FEE;
        if (!fee && (f & F_SUCCESS) === 0) continue;
        const r = toCell[t]!;
        if (r >= 0 && active[r] === 1 && (f & F_NONZERO) !== 0) {
          const h = pinned.has(r) ? 1 : cellHop[r] === NOHOP ? NOHOP : cellHop[r]! + 1;
          if (h <= maxHops) {
            this.visitTx(t);
            if (!fee && (minValue === 0n || g.transferValue(t) >= minValue)) this.deliver(t, 0n, h, null);
          }
        }
      }
    }
  }

  /** Haircut and fifo: amounts per active cell. */
  private sweepModel(): void {
    const g = this.g;
    const { flags, fromCell, toCell, n } = g;
    const { active, maxHops } = this;
    if (this.fwd) {
      for (let t = this.from0; t < n; t++) {
        const f = flags[t]!;
        const fee = (f & F_KIND) === KIND_FEE;
        if (!fee && (f & F_SUCCESS) === 0) continue;
        const s = fromCell[t]!;
        if (active[s] === 1) {
          this.spend(s, t);
          if (this.c > 0n && this.h <= maxHops) {
            this.visitTx(t);
            if (!fee) this.deliver(t, this.c, this.h, this.civ);
          }
        }
        const r = toCell[t]!;
        if (r >= 0) {
          if (this.hop[t] === 0) this.cellHop[r] = 0;
          if (active[r] === 1) this.receipt(r, t);
        }
      }
    } else {
      for (let t = this.from0; t >= 0; t--) {
        const f = flags[t]!;
        const fee = (f & F_KIND) === KIND_FEE;
        if (!fee && (f & F_SUCCESS) === 0) continue;
        const r = toCell[t]!;
        if (r >= 0 && active[r] === 1) {
          this.spend(r, t);
          if (this.c > 0n && this.h <= maxHops) {
            this.visitTx(t);
            if (!fee) this.deliver(t, this.c, this.h, this.civ);
          }
        }
        const s = fromCell[t]!;
        if (active[s] === 1) this.receipt(s, t);
      }
    }
  }

  /** Taint delivered by transfer t (`c` unused under poison: it carries its value). */
  private deliver(t: number, c: Amount, h: number, ivs: bigint[] | null): void {
    const g = this.g;
    const st = this.st;
    const recv = this.fwd ? g.to[t]! : g.from[t]!;
    if (recv < 0 || st.isStart[recv] === 1) return;
    const win = st.o.heights;
    // outside the time window a transfer carries no taint (balances still count it)
    if (win && (g.block[t]! < win.from || g.block[t]! > win.to)) return;
    if (this.model !== "poison") {
      if (c < this.minValue) return;
      this.taint.set(t, c);
      if (ivs) this.iv.set(t, ivs);
    }
    this.hop[t] = h;
    const cell = this.fwd ? g.toCell[t]! : g.fromCell[t]!;
    if (h < this.cellHop[cell]!) this.cellHop[cell] = h;
    st.onPiece(recv, h);
    const at = this.fwd ? t * 2 + 1 : t * 2;
    if (st.expanded[recv] === 1) {
      if (this.active[cell] === 0 && this.cellHop[cell]! < this.maxHops) this.activate(cell, at);
    } else st.reachedUnexpanded(recv, at);
  }

  private activate(c: number, at: number): void {
    this.active[c] = 1;
    this.activated.push(c);
    if (this.model === "poison") return; // its state is cellHop
    const g = this.g;
    const list = g.cellList(c);
    const start = this.st.isStart[g.cellAddr[c]!] === 1;
    if (this.model === "haircut") {
      this.mh[c] = NOHOP;
      this.tbal[c] = 0n;
      this.bal[c] = this.fwd || start ? 0n : this.finalBalance(list);
    } else if (!(start && !this.fwd)) {
      this.fifo.set(
        c,
        this.fwd
          ? { m: new FifoForward(null), coords: null }
          : { m: new FifoBackward(null), coords: this.coords(list) },
      );
    }
    if (at === TIMELESS) return;
    if (this.fwd) for (let p = 0; p < list.length && list[p]! < at; p++) this.step(c, list[p]!);
    else for (let p = list.length - 1; p >= 0 && list[p]! > at; p--) this.step(c, list[p]!);
  }

  private step(c: number, e: number): void {
    const spend = this.fwd ? (e & 1) === 0 : (e & 1) === 1;
    if (spend) this.spend(c, e >> 1);
    else this.receipt(c, e >> 1);
  }

  /** The spend of transfer t from active cell c: sets this.c, this.h, this.civ. */
  private spend(cell: number, t: number): void {
    const v = this.g.transferValue(t);
    if (!this.fwd && this.pinned.has(cell)) {
      this.c = v;
      this.h = 1;
      this.civ = null;
      return;
    }
    if (this.model === "haircut") {
      const b0 = this.bal[cell]!;
      const b = bmax(v, b0);
      const tb = this.tbal[cell]!;
      const c = tb === 0n ? 0n : v === b ? tb : (v * tb) / b;
      this.c = c;
      this.h = c > 0n ? this.mh[cell]! + 1 : NOHOP;
      this.civ = null;
      this.bal[cell] = b - v;
      if (c > 0n) this.tbal[cell] = tb - c;
      if (b === v) this.mh[cell] = NOHOP;
      return;
    }
    const f = this.fifo.get(cell)!;
    f.m.spend(v, f.coords ? f.coords.get(this.fwd ? t * 2 : t * 2 + 1)! : 0n);
    this.c = f.m.c;
    this.h = f.m.h;
    this.civ = f.m.ivs;
  }

  private receipt(cell: number, t: number): void {
    if (!this.fwd && this.pinned.has(cell)) return;
    const v = this.g.transferValue(t);
    const h = this.hop[t]!;
    const d = h === NOHOP ? 0n : this.taint.get(t);
    if (this.model === "haircut") {
      this.bal[cell] = this.bal[cell]! + v;
      if (d > 0n) {
        this.tbal[cell] = this.tbal[cell]! + d;
        if (h < this.mh[cell]!) this.mh[cell] = h;
      }
      return;
    }
    const f = this.fifo.get(cell)!;
    f.m.receipt(
      t,
      v,
      d,
      h,
      d > 0n ? this.iv.get(t) : undefined,
      f.coords ? f.coords.get(this.fwd ? t * 2 + 1 : t * 2)! : 0n,
    );
  }

  /** Backward haircut starts from the final balance (forward pass, clean top-ups included). */
  private finalBalance(list: Int32Array): Amount {
    let b = 0n;
    for (let p = 0; p < list.length; p++) {
      const e = list[p]!;
      const v = this.g.transferValue(e >> 1);
      if ((e & 1) === 1) b += v;
      else b = v > b ? 0n : b - v;
    }
    return b;
  }

  /** Backward fifo: stream coordinates of every entry (receipts and spends), forward pass. */
  private coords(list: Int32Array): Map<number, bigint> {
    const out = new Map<number, bigint>();
    let rcum = 0n;
    let scum = 0n;
    for (let p = 0; p < list.length; p++) {
      const e = list[p]!;
      const v = this.g.transferValue(e >> 1);
      if ((e & 1) === 1) {
        out.set(e, rcum);
        rcum += v;
      } else {
        if (scum + v > rcum) rcum = scum + v;
        out.set(e, scum);
        scum += v;
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------ after the sweep

  pieceTaint(t: number): Amount {
    if (this.hop[t] === NOHOP) return 0n;
    return this.model === "poison" ? this.g.transferValue(t) : this.taint.get(t);
  }

  private isPinned(t: number): boolean {
    return this.fwd && this.hop[t] === 0;
  }

  nodesOf(addr: number): { asset: number; amount: Amount; hop: number; direct: Amount }[] {
    const g = this.g;
    const start = this.st.isStart[addr] === 1;
    const out: { asset: number; amount: Amount; hop: number; direct: Amount }[] = [];
    for (const c of g.cellsOf(addr)) {
      const list = g.cellList(c);
      let amount = 0n;
      let hop = NOHOP;
      let direct = 0n;
      for (let p = 0; p < list.length; p++) {
        const e = list[p]!;
        const t = e >> 1;
        if (start) {
          if ((e & 1) === 1 && this.isPinnable(t)) {
            amount += g.transferValue(t);
            hop = 0;
          }
          continue;
        }
        if ((e & 1) !== (this.fwd ? 1 : 0) || this.hop[t] === NOHOP) continue;
        const x = this.pieceTaint(t);
        const h = this.hop[t]!;
        amount += x;
        if (h < hop) hop = h;
        if (h === 1) direct += x;
      }
      if (amount > 0n) out.push({ asset: g.cellAsset[c]!, amount, hop, direct });
    }
    return out;
  }

  endpointPieces(addr: number, asset: number): number[] {
    const g = this.g;
    const side = this.fwd ? 1 : 0;
    const out: number[] = [];
    for (const c of g.cellsOf(addr)) {
      if (g.cellAsset[c] !== asset) continue;
      const list = g.cellList(c);
      for (let p = 0; p < list.length; p++) {
        const e = list[p]!;
        const t = e >> 1;
        if ((e & 1) === side && this.hop[t] !== NOHOP && !this.isPinned(t)) out.push(t);
      }
    }
    return out;
  }

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
  ): void {
    const g = this.g;
    // a transaction's transfers are consecutive in chain order
    let last = -1;
    for (let t = 0; t < g.n; t++) {
      if (this.hop[t] === NOHOP || this.isPinned(t) || g.txKey[t] === last) continue;
      last = g.txKey[t]!;
      for (const e of this.txEdges(t)) emit(e.t, last, e.from, e.to, e.asset, e.amount, e.hop);
    }
  }

  /** Edges of the transaction of transfer t, aggregated per (from, to, asset). */
  private txEdges(t0: number): EdgeAgg[] {
    const g = this.g;
    const key = g.txKey[t0]!;
    const cached = this.edgeCache.get(key);
    if (cached) return cached;
    let a = t0;
    while (a > 0 && g.txKey[a - 1] === key) a--;
    const out: EdgeAgg[] = [];
    for (let t = a; t < g.n && g.txKey[t] === key; t++) {
      if (this.hop[t] === NOHOP || this.isPinned(t)) continue;
      const c = this.pieceTaint(t);
      if (c === 0n) continue;
      const from = g.from[t]!;
      const to = g.to[t]!;
      const asset = g.asset[t]!;
      const e = out.find((x) => x.from === from && x.to === to && x.asset === asset);
      if (e) {
        e.amount += c;
        if (this.hop[t]! < e.hop) e.hop = this.hop[t]!;
      } else out.push({ t, from, to, asset, amount: c, hop: this.hop[t]! });
    }
    this.edgeCache.set(key, out);
    return out;
  }

  /** Replays a cell from its first entry, recording which tainted receipts fed each spend. */
  private replay(cell: number): { rec: number[]; ranges: Map<number, [number, number]> } {
    const cached = this.replays.get(cell);
    if (cached) return cached;
    const g = this.g;
    const list = g.cellList(cell);
    const rec: number[] = [];
    const ranges = new Map<number, [number, number]>();
    let coords: Map<number, bigint> | null = null;
    let m: CellModel;
    if (this.model === "poison") m = new PoisonModel(rec);
    else if (this.fwd) m = this.model === "haircut" ? new HaircutModel(0n, rec) : new FifoForward(rec);
    else if (this.model === "haircut") m = new HaircutModel(this.finalBalance(list), rec);
    else {
      m = new FifoBackward(rec);
      coords = this.coords(list);
    }
    const len = list.length;
    for (let k = 0; k < len; k++) {
      const e = list[this.fwd ? k : len - 1 - k]!;
      const t = e >> 1;
      const v = g.transferValue(t);
      const coord = coords ? coords.get(e)! : 0n;
      if (this.fwd ? (e & 1) === 0 : (e & 1) === 1) {
        m.spend(v, coord);
        if (m.c > 0n) ranges.set(t, [m.lo, m.hi]);
      } else {
        const h = this.hop[t]!;
        const d = h === NOHOP ? 0n : this.pieceTaint(t);
        m.receipt(t, v, d, h, d > 0n ? this.iv.get(t) : undefined, coord);
      }
    }
    const r = { rec, ranges };
    this.replays.set(cell, r);
    return r;
  }

  links(t: number): RouteLink[] {
    const g = this.g;
    const from = g.from[t]!;
    const to = g.to[t]!;
    const asset = g.asset[t]!;
    const txKey = g.txKey[t]!;
    const amount =
      this.txEdges(t).find((e) => e.from === from && e.to === to && e.asset === asset)?.amount ?? 0n;
    const src = this.fwd ? from : to;
    if (this.st.isStart[src] === 1) return [{ prev: -1, ref: t, txKey, from, to, amount, weight: amount }];
    const r = this.replay(this.fwd ? g.fromCell[t]! : g.toCell[t]!);
    const range = r.ranges.get(t);
    if (!range) return [];
    const out: RouteLink[] = [];
    for (let k = range[0]; k < range[1]; k++) {
      const q = r.rec[k]!;
      out.push({ prev: q, ref: t, txKey, from, to, amount, weight: this.pieceTaint(q) });
    }
    return out;
  }
}
