/**
 * UTXO propagation: a sweep over the transactions in block order (backward: descending) with a
 * bitset of the ones to (re)evaluate. A transaction is recomputed from the current taint of its
 * inputs whenever one of them changes; when that marks one already passed (same block, an expansion
 * that reaches back), the sweep rewinds to it. Every rule is monotone (more taint in never means less
 * taint out, nor more hops), so this reaches the least fixpoint whatever the order.
 *
 * Forward, a piece is an output: its taint, hop (the hop of the transaction that created it) and,
 * for fifo when partly tainted, its tainted sub-intervals [s, e) in its own satoshi range.
 * Backward, a piece is an input (the coin its address spent), carrying backward taint ("this much of
 * the coin went on towards the start"); the start's own outputs count fully tainted.
 *
 * Per transaction, with ΣI = Σ value(in), ΣO = Σ value(out), D = max(ΣI, ΣO) (D guards against
 * inconsistent rows; it equals ΣI on a valid transaction):
 * - forward poison: every output fully tainted when any followed input is tainted.
 * - forward haircut: taint(out_j) = floor(value(out_j) · Σ taint(in) / D); the fee keeps its share.
 * - forward fifo: inputs, then outputs, laid end to end in vin / vout order; an output's taint is
 *   the overlap of its interval with the tainted input intervals; the fee is the tail ΣO..ΣI.
 * - backward poison: every input fully tainted when any output is.
 * - backward haircut: taint(in_k) = floor(value(in_k) · Σ taint(out) / D), i.e. the input's share
 *   of the tainted outputs; the fee part of the inputs stays clean.
 * - backward fifo: the same intervals read the other way (the fee tail is never tainted backwards).
 *
 * An input is "followed" (forward) when the output it spends is tainted and its address is
 * expanded; taint on outputs of stop addresses and unexpanded addresses is reported, not followed.
 */
import type { Amount } from "../domain.ts";
import {
  PREV_NOT_LOADED,
  SPENDER_NOT_LOADED,
  SPENDER_UNKNOWN,
  type TraceGraph,
  type Values,
} from "./trace-graph.ts";
import {
  bmax,
  bmin,
  type Finished,
  NOHOP,
  pushInterval,
  type RouteLink,
  type Sweep,
  type TraceState,
  UTXO_ASSET,
} from "./trace-state.ts";
import { TIMELESS } from "./trace-sweep-account.ts";

interface Attribution {
  /** piece-side index (forward: input; backward: output) */
  src: number[];
  /** the other side (forward: output; backward: input) */
  dst: number[];
  amount: bigint[];
}

export class UtxoSweep implements Sweep, Finished {
  readonly isUtxo = true;
  private readonly g: TraceGraph;
  private readonly fwd: boolean;
  /** forward: output → taint; backward: input → taint (NOHOP hop: none) */
  private readonly amt: Values;
  private readonly hop: Uint8Array;
  private readonly iv = new Map<number, bigint[]>();
  /** Transactions to evaluate, by block position; the sweep's position. */
  private readonly dirty: Uint32Array;
  private cursor: number;
  private pending = 0;
  private readonly visited: Uint8Array;
  private nVisited = 0;
  private readonly attrCache = new Map<number, Attribution>();
  private readonly edgeCache = new Map<number, { from: number; to: number; amount: Amount; hop: number }[]>();

  constructor(private readonly st: TraceState) {
    const g = st.g;
    this.g = g;
    this.fwd = st.forward;
    this.amt = this.fwd ? st.s.oTaint : st.s.iTaint;
    this.hop = this.fwd ? st.s.oHop : st.s.iHop;
    this.hop.fill(NOHOP, 0, this.fwd ? g.nOut : g.nIn);
    this.dirty = st.s.dirty;
    this.dirty.fill(0, 0, (g.txCount >> 5) + 1);
    this.visited = st.s.visited;
    this.visited.fill(0, 0, g.txCount);
    this.cursor = this.fwd ? g.txCount : -1;
  }

  pieceTaint(piece: number): Amount {
    return this.hop[piece] === NOHOP ? 0n : this.amt.get(piece);
  }

  private has(piece: number): boolean {
    return this.hop[piece] !== NOHOP;
  }

  get txsVisited(): number {
    return this.nVisited;
  }

  pinStarts(starts: readonly number[]): void {
    const { g, st } = this;
    for (const a of starts) {
      const outs = g.receivedOutputs(a);
      if (outs.length > 0 && !st.historyComplete(a)) st.missingAddr.add(a);
      if (!this.fwd) continue;
      for (let k = 0; k < outs.length; k++) {
        const o = outs[k]!;
        const v = g.outValue.get(o);
        if (v === 0n) continue;
        this.amt.set(o, v);
        this.hop[o] = 0;
      }
    }
  }

  onExpand(addr: number, _at: number): void {
    const g = this.g;
    if (this.fwd) {
      const outs = g.receivedOutputs(addr);
      for (let k = 0; k < outs.length; k++) if (this.has(outs[k]!)) this.followOutput(outs[k]!);
      return;
    }
    if (this.st.isStart[addr]) {
      const outs = g.receivedOutputs(addr);
      for (let k = 0; k < outs.length; k++) this.push(g.outTx[outs[k]!]!);
      return;
    }
    const ins = g.spentInputs(addr);
    for (let k = 0; k < ins.length; k++) if (this.has(ins[k]!)) this.followInput(ins[k]!);
  }

  /** Forward: schedule the transaction that spends a tainted output of an expanded address. */
  private followOutput(o: number): void {
    const s = this.g.outSpender[o]!;
    if (s >= 0) this.push(this.g.inTx[s]!);
    else if (s === SPENDER_NOT_LOADED) this.st.missingSpenderOf.add(o);
    else if (s === SPENDER_UNKNOWN) this.st.missingAddr.add(this.g.outAddr[o]!);
  }

  /** Backward: schedule the transaction that created the coin a tainted input spends. */
  private followInput(i: number): void {
    const p = this.g.inPrevTx[i]!;
    if (p >= 0) this.push(p);
    else if (p === PREV_NOT_LOADED) this.st.missingPrevOf.add(i);
  }

  private push(tx: number): void {
    const p = this.g.txPos[tx]!;
    const w = p >> 5;
    const bit = 1 << (p & 31);
    if ((this.dirty[w]! & bit) !== 0) return;
    this.dirty[w]! |= bit;
    this.pending++;
    if (this.fwd ? p < this.cursor : p > this.cursor) this.cursor = p;
  }

  /** Next marked position from the cursor in sweep direction (one must exist). */
  private next(): number {
    const d = this.dirty;
    if (this.fwd) {
      let w = this.cursor >> 5;
      let bits = d[w]! & (-1 << (this.cursor & 31));
      while (bits === 0) bits = d[++w]!;
      return w * 32 + (31 - Math.clz32(bits & -bits));
    }
    let w = this.cursor >> 5;
    let bits = d[w]! & (0xffffffff >>> (31 - (this.cursor & 31)));
    while (bits === 0) bits = d[--w]!;
    return w * 32 + (31 - Math.clz32(bits));
  }

  run(): void {
    while (this.pending > 0) {
      const p = this.next();
      this.dirty[p >> 5]! &= ~(1 << (p & 31));
      this.pending--;
      this.cursor = p;
      const tx = this.g.posTx[p]!;
      const win = this.st.o.heights;
      // outside the time window a transaction carries no taint (its outputs stay where they are)
      if (win && (this.g.txOrder[tx]! < win.from || this.g.txOrder[tx]! > win.to)) continue;
      this.evaluate(
        tx,
        (k, t, h, ivs) => {
          this.markVisited(tx);
          this.deliver(k, this.fwd ? this.g.outAddr[k]! : this.g.inAddr[k]!, t, h, ivs);
        },
        null,
      );
    }
  }

  private prevOutput(i: number): number {
    const g = this.g;
    const p = g.inPrevTx[i]!;
    if (p < 0) return -1;
    const o = g.outStart[p]! + g.inPrevVout[i]!;
    return o < g.outStart[p + 1]! ? o : -1;
  }

  /** Tainted intervals of a piece of value v: stored (fifo, partial), else the whole head. */
  private intervals(piece: number, t: Amount, v: Amount): bigint[] {
    return this.iv.get(piece) ?? [0n, t < v ? t : v];
  }

  private markVisited(tx: number): void {
    if (!this.visited[tx]) {
      this.visited[tx] = 1;
      this.nVisited++;
    }
  }

  /**
   * Evaluates one transaction in the trace direction. `emit(dst, taint, hop, intervals)` receives each
   * destination piece; `attr` (when given) receives per source→destination contributions.
   */
  private evaluate(
    tx: number,
    emit: ((dst: number, t: Amount, h: number, iv: bigint[] | null) => void) | null,
    attr: Attribution | null,
  ): number {
    const { g, st } = this;
    const model = st.o.model;
    const fwd = this.fwd;
    const s0 = fwd ? g.inStart[tx]! : g.outStart[tx]!;
    const s1 = fwd ? g.inStart[tx + 1]! : g.outStart[tx + 1]!;
    const d0 = fwd ? g.outStart[tx]! : g.inStart[tx]!;
    const d1 = fwd ? g.outStart[tx + 1]! : g.inStart[tx + 1]!;
    const srcVal = fwd ? g.inValue : g.outValue;
    const dstVal = fwd ? g.outValue : g.inValue;
    let sumSrcV = 0n;
    let sumT = 0n;
    let minHop = NOHOP;
    const srcT: bigint[] = [];
    // fifo: tainted segments in transaction coordinates, tagged with the source index
    const segS: bigint[] = [];
    const segE: bigint[] = [];
    const segSrc: number[] = [];
    for (let k = s0; k < s1; k++) {
      const v = srcVal.get(k);
      let t = 0n;
      let h = NOHOP;
      let piece = -1;
      if (fwd) {
        const q = this.prevOutput(k);
        if (q >= 0 && this.has(q) && st.expanded[g.outAddr[q]!]) {
          t = this.amt.get(q);
          if (t > 0n) {
            piece = q;
            h = this.hop[q]!;
          }
        }
      } else {
        const a = g.outAddr[k]!;
        if (a >= 0) {
          if (st.isStart[a]) {
            t = v;
            h = 0;
          } else if (st.expanded[a]) {
            const s = g.outSpender[k]!;
            if (s >= 0) {
              piece = s;
              if (this.has(s)) {
                t = this.amt.get(s);
                h = this.hop[s]!;
              }
            } else piece = s;
          }
        }
      }
      if (t > v) t = v;
      srcT.push(t);
      if (t > 0n) {
        sumT += t;
        if (h < minHop) minHop = h;
        if (model === "fifo") {
          const ivs = piece >= 0 ? this.intervals(piece, t, v) : [0n, v];
          for (let j = 0; j < ivs.length; j += 2) {
            segS.push(sumSrcV + ivs[j]!);
            segE.push(sumSrcV + ivs[j + 1]!);
            segSrc.push(k);
          }
        }
      }
      sumSrcV += v;
    }
    if (sumT === 0n) return NOHOP;
    const hop = minHop + 1;
    if (hop > st.o.maxHops) return hop;
    let sumDstV = 0n;
    for (let k = d0; k < d1; k++) sumDstV += dstVal.get(k);
    const denom = sumSrcV > sumDstV ? sumSrcV : sumDstV;
    let cum = 0n;
    let seg = 0;
    for (let k = d0; k < d1; k++) {
      const v = dstVal.get(k);
      let t: Amount;
      let ivs: bigint[] | null = null;
      if (model === "poison") t = v;
      else if (model === "haircut") t = denom === 0n ? 0n : (v * sumT) / denom;
      else {
        const lo = cum;
        const hi = cum + v;
        const out: bigint[] = [];
        t = 0n;
        while (seg < segS.length && segE[seg]! <= lo) seg++;
        for (let j = seg; j < segS.length && segS[j]! < hi; j++) {
          const s = bmax(segS[j]!, lo);
          const e = bmin(segE[j]!, hi);
          if (e > s) {
            pushInterval(out, s - lo, e - lo);
            t += e - s;
            if (attr) {
              attr.src.push(segSrc[j]!);
              attr.dst.push(k);
              attr.amount.push(e - s);
            }
          }
        }
        ivs = t > 0n && t < v ? out : null;
      }
      cum += v;
      if (attr && model !== "fifo" && t > 0n) splitProportional(attr, k, t, s0, srcT, sumT);
      if (emit) emit(k, t, hop, ivs);
    }
    return hop;
  }

  private deliver(piece: number, recv: number, t: Amount, h: number, ivs: bigint[] | null): void {
    const st = this.st;
    if (recv < 0 || st.isStart[recv]) return; // no address: taint leaves; start: pinned
    if (t === 0n || t < st.o.minValue) return;
    const had = this.has(piece);
    const old = had ? this.amt.get(piece) : 0n;
    const oh = this.hop[piece]!;
    if (had && t === old && h >= oh) return;
    this.amt.set(piece, t);
    this.hop[piece] = h;
    if (ivs) this.iv.set(piece, ivs);
    else this.iv.delete(piece);
    st.onPiece(recv, h);
    if (st.expanded[recv]) {
      if (this.fwd) this.followOutput(piece);
      else this.followInput(piece);
    } else st.reachedUnexpanded(recv, TIMELESS);
  }

  // ------------------------------------------------------------------------------ after the sweep

  nodesOf(addr: number): { asset: number; amount: Amount; hop: number; direct: Amount }[] {
    const g = this.g;
    let amount = 0n;
    let hop = NOHOP;
    let direct = 0n;
    if (this.st.isStart[addr]) {
      const outs = g.receivedOutputs(addr);
      for (let k = 0; k < outs.length; k++) {
        const v = g.outValue.get(outs[k]!);
        if (v === 0n) continue;
        amount += v;
        hop = 0;
      }
    } else {
      const list = this.fwd ? g.receivedOutputs(addr) : g.spentInputs(addr);
      for (let k = 0; k < list.length; k++) {
        const p = list[k]!;
        if (!this.has(p)) continue;
        const x = this.amt.get(p);
        const h = this.hop[p]!;
        amount += x;
        if (h < hop) hop = h;
        if (h === 1) direct += x;
      }
    }
    return amount > 0n ? [{ asset: UTXO_ASSET, amount, hop, direct }] : [];
  }

  private attribution(tx: number): Attribution {
    let a = this.attrCache.get(tx);
    if (!a) {
      a = { src: [], dst: [], amount: [] };
      this.evaluate(tx, null, a);
      this.attrCache.set(tx, a);
    }
    return a;
  }

  /** The taint a destination piece actually holds (pinned start pieces count in full). */
  private dstTaint(dst: number): Amount {
    const g = this.g;
    const a = this.fwd ? g.outAddr[dst]! : g.inAddr[dst]!;
    if (a < 0) return 0n;
    if (this.st.isStart[a]) return -1n; // use the computed amount
    return this.pieceTaint(dst);
  }

  /** Edges of one transaction, aggregated per (from, to). */
  private txEdges(tx: number): { from: number; to: number; amount: Amount; hop: number }[] {
    const cached = this.edgeCache.get(tx);
    if (cached) return cached;
    const g = this.g;
    const hop = this.evaluate(tx, null, null);
    const a = this.attribution(tx);
    const list: { from: number; to: number; amount: Amount; hop: number }[] = [];
    // contributions to a destination that dropped its taint (minValue) are not edges
    const keep = new Map<number, boolean>();
    for (let k = 0; k < a.src.length; k++) {
      const dst = a.dst[k]!;
      let ok = keep.get(dst);
      if (ok === undefined) {
        ok = this.dstTaint(dst) !== 0n;
        keep.set(dst, ok);
      }
      if (!ok) continue;
      const srcAddr = this.fwd ? g.inAddr[a.src[k]!]! : g.outAddr[a.src[k]!]!;
      const dstAddr = this.fwd ? g.outAddr[dst]! : g.inAddr[dst]!;
      if (srcAddr < 0 || dstAddr < 0) continue;
      const from = this.fwd ? srcAddr : dstAddr;
      const to = this.fwd ? dstAddr : srcAddr;
      const e = list.find((x) => x.from === from && x.to === to);
      if (e) e.amount += a.amount[k]!;
      else list.push({ from, to, amount: a.amount[k]!, hop });
    }
    this.edgeCache.set(tx, list);
    return list;
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
    for (let tx = 0; tx < this.g.txCount; tx++) {
      if (!this.visited[tx]) continue;
      for (const e of this.txEdges(tx))
        if (e.amount > 0n) emit(tx, tx, e.from, e.to, UTXO_ASSET, e.amount, e.hop);
    }
  }

  endpointPieces(addr: number, _asset: number): number[] {
    const list = this.fwd ? this.g.receivedOutputs(addr) : this.g.spentInputs(addr);
    const out: number[] = [];
    for (let k = 0; k < list.length; k++) if (this.pieceTaint(list[k]!) > 0n) out.push(list[k]!);
    return out;
  }

  links(piece: number): RouteLink[] {
    const g = this.g;
    const tx = this.fwd ? g.outTx[piece]! : g.inTx[piece]!;
    const a = this.attribution(tx);
    const out: RouteLink[] = [];
    const seen = new Set<number>();
    for (let k = 0; k < a.src.length; k++) {
      if (a.dst[k] !== piece || a.amount[k] === 0n) continue;
      const src = a.src[k]!;
      if (seen.has(src)) continue;
      seen.add(src);
      const srcAddr = this.fwd ? g.inAddr[src]! : g.outAddr[src]!;
      const dstAddr = this.fwd ? g.outAddr[piece]! : g.inAddr[piece]!;
      if (srcAddr < 0 || dstAddr < 0) continue;
      const from = this.fwd ? srcAddr : dstAddr;
      const to = this.fwd ? dstAddr : srcAddr;
      let prev = -1;
      if (!this.st.isStart[srcAddr]) {
        prev = this.fwd ? this.prevOutput(src) : g.outSpender[src]!;
        if (prev < 0) continue;
      }
      const amount = this.visited[tx]
        ? (this.txEdges(tx).find((e) => e.from === from && e.to === to)?.amount ?? 0n)
        : 0n;
      out.push({ prev, ref: tx, txKey: tx, from, to, amount, weight: amount });
    }
    return out;
  }
}

/** Splits a destination's taint over the tainted sources in proportion, largest remainder first. */
function splitProportional(
  attr: Attribution,
  dst: number,
  t: Amount,
  s0: number,
  srcT: bigint[],
  sumT: Amount,
): void {
  const parts: bigint[] = [];
  const rems: bigint[] = [];
  let given = 0n;
  for (let j = 0; j < srcT.length; j++) {
    const p = (t * srcT[j]!) / sumT;
    parts.push(p);
    rems.push((t * srcT[j]!) % sumT);
    given += p;
  }
  let left = t - given;
  const order = srcT.map((_, j) => j).filter((j) => srcT[j]! > 0n);
  order.sort((x, y) => (rems[y]! > rems[x]! ? 1 : rems[y]! < rems[x]! ? -1 : x - y));
  for (const j of order) {
    if (left === 0n) break;
    parts[j]! += 1n;
    left -= 1n;
  }
  for (let j = 0; j < srcT.length; j++) {
    if (parts[j]! > 0n) {
      attr.src.push(s0 + j);
      attr.dst.push(dst);
      attr.amount.push(parts[j]!);
    }
  }
}
