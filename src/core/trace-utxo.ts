/**
 * UTXO propagation. A transaction is recomputed from the current taint of its inputs whenever one
 * of them changes (worklist in block order; forward ascending, backward descending). Every rule is
 * monotone (more taint in never means less taint out, nor more hops), so the worklist reaches the
 * same least fixpoint whatever the order; block order only avoids recomputation.
 *
 * Forward, a piece is an output: its taint, hop (the hop of the transaction that created it) and,
 * for fifo when partly tainted, its tainted sub-intervals [s, e) in its own satoshi range.
 * Backward, a piece is an input (the coin its address spent), carrying backward taint ("this much of
 * the coin went on towards the start"); the start's own outputs are pinned fully tainted.
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
 * - backward fifo: the same intervals read the other way: an input's taint is the overlap of its
 *   interval with the tainted output intervals (the fee tail is never tainted backwards).
 *
 * An input is "followed" (forward) when the output it spends is tainted and its address is
 * expanded; taint on outputs of stop addresses and unexpanded addresses is reported, not followed.
 */
import type { Amount } from "../domain.ts";
import { type FlowGraph, PREV_NOT_LOADED, SPENDER_NOT_LOADED, SPENDER_UNKNOWN } from "./graph.ts";
import {
  bmax,
  bmin,
  NOHOP,
  type PathLink,
  type Propagator,
  pushInterval,
  type TraceCtx,
  UTXO_ASSET,
} from "./trace-context.ts";
import { KeyHeap } from "./trace-heap.ts";

interface Attribution {
  /** piece-side index (forward: input; backward: output) */
  src: number[];
  /** the other side (forward: output; backward: input) */
  dst: number[];
  amount: bigint[];
}

export class UtxoPropagator implements Propagator {
  private readonly g: FlowGraph;
  private readonly fwd: boolean;
  /** forward: output → taint; backward: input → taint */
  private readonly amt = new Map<number, Amount>();
  private readonly hop: Uint8Array;
  private readonly iv = new Map<number, bigint[]>();
  private readonly queued: Uint8Array;
  private readonly visited: Uint8Array;
  private readonly heap = new KeyHeap();
  private nVisited = 0;
  private readonly attrCache = new Map<number, Attribution>();
  private edgeIndex: Map<number, { from: number; to: number; amount: Amount }[]> | null = null;

  constructor(private readonly ctx: TraceCtx) {
    this.g = ctx.g;
    this.fwd = ctx.forward;
    this.hop = new Uint8Array(this.fwd ? this.g.outputCount : this.g.inputCount).fill(NOHOP);
    this.queued = new Uint8Array(this.g.txCount);
    this.visited = new Uint8Array(this.g.txCount);
  }

  pieceTaint(piece: number): Amount {
    return this.amt.get(piece) ?? 0n;
  }

  get txsVisited(): number {
    return this.nVisited;
  }

  pinStarts(starts: readonly number[]): void {
    const { g, ctx } = this;
    for (const a of starts) {
      const outs = g.receivedOutputs(a);
      if (outs.length > 0 && !g.historyComplete(a)) ctx.missingAddr.add(a);
      for (let k = 0; k < outs.length; k++) {
        const o = outs[k]!;
        const v = g.outputValue(o);
        if (v === 0n) continue;
        if (this.fwd) {
          this.amt.set(o, v);
          this.hop[o] = 0;
        }
        ctx.onPiece(a, UTXO_ASSET, 0n, NOHOP, v, 0);
      }
    }
  }

  onExpand(addr: number, _key: number): void {
    const { g } = this;
    if (this.fwd) {
      const outs = g.receivedOutputs(addr);
      for (let k = 0; k < outs.length; k++) if (this.amt.has(outs[k]!)) this.followOutput(outs[k]!);
      return;
    }
    if (this.ctx.isStart[addr]) {
      const outs = g.receivedOutputs(addr);
      for (let k = 0; k < outs.length; k++) this.push(g.outputTx(outs[k]!));
      return;
    }
    const ins = g.spentInputs(addr);
    for (let k = 0; k < ins.length; k++) if (this.amt.has(ins[k]!)) this.followInput(ins[k]!);
  }

  /** Forward: schedule the transaction that spends a tainted output of an expanded address. */
  private followOutput(o: number): void {
    const s = this.g.outputSpender(o);
    if (s >= 0) this.push(this.g.inputTx(s));
    else if (s === SPENDER_NOT_LOADED) this.ctx.missingTx.add(this.g.outputSpenderTxid(o)!);
    else if (s === SPENDER_UNKNOWN) this.ctx.missingAddr.add(this.g.outputAddress(o));
  }

  /** Backward: schedule the transaction that created the coin a tainted input spends. */
  private followInput(i: number): void {
    const p = this.g.inputPrevTx(i);
    if (p >= 0) this.push(p);
    else if (p === PREV_NOT_LOADED) this.ctx.missingTx.add(this.g.inputPrevTxid(i)!);
  }

  private push(tx: number): void {
    if (this.queued[tx]) return;
    this.queued[tx] = 1;
    const order = this.g.txOrder(tx);
    this.heap.push(this.fwd ? order : -order, tx);
  }

  sweep(): void {
    while (this.heap.size > 0) {
      const tx = this.heap.pop();
      this.queued[tx] = 0;
      if (this.fwd) this.forwardTx(tx);
      else this.backwardTx(tx);
    }
  }

  private prevOutput(i: number): number {
    const g = this.g;
    const p = g.inputPrevTx(i);
    if (p < 0) return -1;
    const o = g.txOutputStart(p) + g.inputPrevVout(i);
    return o < g.txOutputEnd(p) ? o : -1;
  }

  /** Tainted intervals of a piece of value v: stored (fifo, partial), else the whole head. */
  private intervals(piece: number, t: Amount, v: Amount): bigint[] {
    return this.iv.get(piece) ?? [0n, t < v ? t : v];
  }

  /** Forward: the followed taint of input i (0 when not followed). */
  private inputTaint(i: number): { q: number; t: Amount } {
    const q = this.prevOutput(i);
    if (q < 0) return { q, t: 0n };
    const t = this.amt.get(q);
    if (t === undefined || !this.ctx.expanded[this.g.outputAddress(q)]) return { q, t: 0n };
    return { q, t };
  }

  /** Backward: the taint of output o (pinned at a start address, else its spender's piece). */
  private outputTaint(o: number): { s: number; t: Amount; h: number } {
    const { g, ctx } = this;
    const a = g.outputAddress(o);
    if (a < 0) return { s: -1, t: 0n, h: NOHOP };
    if (ctx.isStart[a]) return { s: -1, t: g.outputValue(o), h: 0 };
    if (!ctx.expanded[a]) return { s: -1, t: 0n, h: NOHOP };
    const s = g.outputSpender(o);
    if (s < 0) return { s, t: 0n, h: NOHOP };
    const t = this.amt.get(s);
    return t === undefined ? { s, t: 0n, h: NOHOP } : { s, t, h: this.hop[s]! };
  }

  private markVisited(tx: number): void {
    if (!this.visited[tx]) {
      this.visited[tx] = 1;
      this.nVisited++;
    }
  }

  /**
   * Evaluates one transaction in the trace direction. `emit(dst, taint, intervals)` receives each
   * destination piece; `attr` (when given) receives per source→destination contributions.
   */
  private evaluate(
    tx: number,
    emit: ((dst: number, t: Amount, h: number, iv: bigint[] | null) => void) | null,
    attr: Attribution | null,
  ): number {
    const { g, ctx } = this;
    const model = ctx.o.model;
    const fwd = this.fwd;
    const s0 = fwd ? g.txInputStart(tx) : g.txOutputStart(tx);
    const s1 = fwd ? g.txInputEnd(tx) : g.txOutputEnd(tx);
    const d0 = fwd ? g.txOutputStart(tx) : g.txInputStart(tx);
    const d1 = fwd ? g.txOutputEnd(tx) : g.txInputEnd(tx);
    let sumSrcV = 0n;
    let sumT = 0n;
    let minHop = NOHOP;
    const srcT: bigint[] = [];
    // fifo: tainted segments in transaction coordinates, tagged with the source index
    const segS: bigint[] = [];
    const segE: bigint[] = [];
    const segSrc: number[] = [];
    for (let k = s0; k < s1; k++) {
      const v = fwd ? g.inputValue(k) : g.outputValue(k);
      let t = 0n;
      let h = NOHOP;
      let piece = -1;
      if (fwd) {
        const it = this.inputTaint(k);
        t = it.t;
        if (t > 0n) {
          piece = it.q;
          h = this.hop[it.q]!;
        }
      } else {
        const ot = this.outputTaint(k);
        t = ot.t;
        h = ot.h;
        piece = ot.s;
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
    if (hop > ctx.o.maxHops) return hop;
    let sumDstV = 0n;
    for (let k = d0; k < d1; k++) sumDstV += fwd ? g.outputValue(k) : g.inputValue(k);
    const denom = sumSrcV > sumDstV ? sumSrcV : sumDstV;
    let cum = 0n;
    let seg = 0;
    for (let k = d0; k < d1; k++) {
      const v = fwd ? g.outputValue(k) : g.inputValue(k);
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

  private forwardTx(tx: number): void {
    this.evaluate(
      tx,
      (o, t, h, ivs) => {
        this.markVisited(tx);
        this.deliver(o, this.g.outputAddress(o), t, h, ivs);
      },
      null,
    );
  }

  private backwardTx(tx: number): void {
    this.evaluate(
      tx,
      (i, t, h, ivs) => {
        this.markVisited(tx);
        this.deliver(i, this.g.inputAddress(i), t, h, ivs);
      },
      null,
    );
  }

  private deliver(piece: number, recv: number, t: Amount, h: number, ivs: bigint[] | null): void {
    const ctx = this.ctx;
    if (recv < 0 || ctx.isStart[recv]) return; // no address: taint leaves; start: pinned
    if (t === 0n || t < ctx.o.minValue) return;
    const old = this.amt.get(piece) ?? 0n;
    const oh = this.hop[piece]!;
    if (t === old && h >= oh) return;
    this.amt.set(piece, t);
    this.hop[piece] = h;
    if (ivs) this.iv.set(piece, ivs);
    else this.iv.delete(piece);
    ctx.onPiece(recv, UTXO_ASSET, old, oh, t, h);
    if (ctx.expanded[recv]) {
      if (this.fwd) this.followOutput(piece);
      else this.followInput(piece);
    } else ctx.reached(recv, 0);
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
    const a = this.fwd ? g.outputAddress(dst) : g.inputAddress(dst);
    if (a < 0) return 0n;
    if (this.ctx.isStart[a]) return -1n; // use the computed amount
    return this.amt.get(dst) ?? 0n;
  }

  edges(
    emit: (txid: string, from: number, to: number, asset: number, amount: Amount, hop: number) => void,
  ): void {
    const g = this.g;
    const agg = new Map<number, { tx: number; from: number; to: number; amount: Amount; hop: number }[]>();
    for (let tx = 0; tx < this.visited.length; tx++) {
      if (!this.visited[tx]) continue;
      const hop = this.evaluate(tx, null, null);
      const a = this.attribution(tx);
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
        const srcAddr = this.fwd ? g.inputAddress(a.src[k]!) : g.outputAddress(a.src[k]!);
        const dstAddr = this.fwd ? g.outputAddress(dst) : g.inputAddress(dst);
        if (srcAddr < 0 || dstAddr < 0) continue;
        const from = this.fwd ? srcAddr : dstAddr;
        const to = this.fwd ? dstAddr : srcAddr;
        const list = agg.get(tx);
        const e = list?.find((x) => x.from === from && x.to === to);
        if (e) e.amount += a.amount[k]!;
        else if (list) list.push({ tx, from, to, amount: a.amount[k]!, hop });
        else agg.set(tx, [{ tx, from, to, amount: a.amount[k]!, hop }]);
      }
    }
    this.edgeIndex = agg;
    for (const list of agg.values())
      for (const e of list) if (e.amount > 0n) emit(g.txid(e.tx), e.from, e.to, UTXO_ASSET, e.amount, e.hop);
  }

  endpointPieces(addr: number, _asset: number): number[] {
    const list = this.fwd ? this.g.receivedOutputs(addr) : this.g.spentInputs(addr);
    const out: number[] = [];
    for (let k = 0; k < list.length; k++) if ((this.amt.get(list[k]!) ?? 0n) > 0n) out.push(list[k]!);
    return out;
  }

  links(piece: number): PathLink[] {
    const g = this.g;
    const tx = this.fwd ? g.outputTx(piece) : g.inputTx(piece);
    const a = this.attribution(tx);
    const txid = g.txid(tx);
    const out: PathLink[] = [];
    const seen = new Set<number>();
    for (let k = 0; k < a.src.length; k++) {
      if (a.dst[k] !== piece || a.amount[k] === 0n) continue;
      const src = a.src[k]!;
      if (seen.has(src)) continue;
      seen.add(src);
      const srcAddr = this.fwd ? g.inputAddress(src) : g.outputAddress(src);
      const dstAddr = this.fwd ? g.outputAddress(piece) : g.inputAddress(piece);
      if (srcAddr < 0 || dstAddr < 0) continue;
      const from = this.fwd ? srcAddr : dstAddr;
      const to = this.fwd ? dstAddr : srcAddr;
      let prev = -1;
      if (!this.ctx.isStart[srcAddr]) {
        prev = this.fwd ? this.prevOutput(src) : g.outputSpender(src);
        if (prev < 0) continue;
      }
      const amount = this.edgeIndex?.get(tx)?.find((e) => e.from === from && e.to === to)?.amount ?? 0n;
      out.push({ prev, txid, from, to, amount, weight: amount });
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
