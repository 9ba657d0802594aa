/**
 * The resident flow graph the trace engine sweeps: integer ids, struct-of-arrays, built incrementally.
 *
 * - Addresses are dense ids 0..addressCount-1. `ext` keys name them outside (a store id, or the
 *   position in this graph's own dictionary when it was built from rows).
 * - Account transfers live in chain order (block, tx index, kind order, seq; ties, which a valid chain
 *   never has, by txid text or by load order). Rows may arrive in any order: `finalize()` (called by
 *   the engine before a trace) sorts what was appended since the last call and merges it in.
 *   A transfer's money moves between "cells": one (address, asset) balance each. Every cell has its
 *   entries (`transfer * 2 + side`, side 0 sends, side 1 receives) in chain order; failed transfers
 *   move nothing and are left out (a fee is always paid, so fee rows stay).
 * - UTXO: transactions with their inputs (vin order) and outputs (vout order) contiguous; links
 *   between them are resolved by external tx keys, so a transaction loaded later fills in the
 *   spends of the ones already there. `pos` orders transactions by block for the sweep.
 *
 * The graph also says what it does not have: `outSpender` tells "unspent" from "spent by a
 * transaction that is not loaded" and from "never asked"; `historyComplete` whether an address's
 * whole history is here. The engine turns these into `stats.missing`.
 *
 * Values are exact: a BigUint64Array per column, values of 2^64 - 1 and above in a side map.
 */
import { type AccountTransfer, type Amount, KIND_ORDER, type TransferKind, type UtxoTx } from "../domain.ts";

/** An output or input without an address (OP_RETURN, non-standard script, coinbase); a transfer without recipient. */
export const NO_ADDRESS = -1;
/** `outSpender`: asked and unspent. */
export const UNSPENT = -1;
/** `outSpender`: nobody asked whether this output is spent (fetch the address's history). */
export const SPENDER_UNKNOWN = -2;
/** `outSpender`: spent by a transaction that is not loaded. */
export const SPENDER_NOT_LOADED = -3;
/** `inPrevTx`: a coinbase input. */
export const PREV_COINBASE = -1;
/** `inPrevTx`: the previous transaction is not loaded. */
export const PREV_NOT_LOADED = -3;
/** Block order of an unconfirmed transaction: after every block. */
export const UNCONFIRMED_ORDER = 0x7fffffff;
export const KINDS: readonly TransferKind[] = ["fee", "native", "internal", "token"];

/** Transfer flags: kind order in the low two bits. */
export const F_KIND = 3;
export const F_SUCCESS = 4;
/** Value is not zero (lets a poison sweep skip reading values). */
export const F_NONZERO = 8;
export const KIND_FEE = 0;

const U64_MAX = (1n << 64n) - 1n;

/** An exact amount column: 64 bits each, anything from 2^64 - 1 up in a side map. */
export class Values {
  lo: BigUint64Array;
  big = new Map<number, bigint>();
  constructor(cap: number) {
    this.lo = new BigUint64Array(cap);
  }
  get(i: number): Amount {
    const x = this.lo[i]!;
    return x === U64_MAX ? this.big.get(i)! : x;
  }
  set(i: number, v: Amount): void {
    if (v < 0n) throw new RangeError(`negative amount ${v}`);
    if (v >= U64_MAX) {
      this.lo[i] = U64_MAX;
      this.big.set(i, v);
    } else {
      this.lo[i] = v;
      if (this.big.size > 0) this.big.delete(i);
    }
  }
  grow(cap: number): void {
    const n = new BigUint64Array(cap);
    n.set(this.lo.subarray(0, Math.min(cap, this.lo.length)));
    this.lo = n;
  }
  /**
   * Copies `n` values encoded as signed 64-bit `value - 2^63` (what SQL can cast to BIGINT) to `at`,
   * without a BigInt per value: the top bit flips back. 2^64 - 1 marks a value for `big` (set after).
   */
  setEncoded(at: number, src: BigInt64Array, n: number): void {
    const dst = new Uint32Array(this.lo.buffer, this.lo.byteOffset + at * 8, n * 2);
    dst.set(new Uint32Array(src.buffer, src.byteOffset, n * 2));
    for (let k = 1; k < n * 2; k += 2) dst[k]! ^= 0x80000000;
  }
  permute(perm: Int32Array, cap: number): void {
    const out = new BigUint64Array(cap);
    const big = new Map<number, bigint>();
    const lo = this.lo;
    for (let i = 0; i < perm.length; i++) {
      const x = lo[perm[i]!]!;
      out[i] = x;
      if (x === U64_MAX) big.set(i, this.big.get(perm[i]!)!);
    }
    this.lo = out;
    this.big = big;
  }
}

function growI32(a: Int32Array, cap: number, fill = 0): Int32Array {
  const n = new Int32Array(cap);
  n.set(a.subarray(0, Math.min(cap, a.length)));
  if (fill !== 0 && cap > a.length) n.fill(fill, a.length);
  return n;
}
function growU8(a: Uint8Array, cap: number): Uint8Array {
  const n = new Uint8Array(cap);
  n.set(a.subarray(0, Math.min(cap, a.length)));
  return n;
}
function permI32(a: Int32Array, perm: Int32Array, cap: number): Int32Array {
  const out = new Int32Array(cap);
  for (let i = 0; i < perm.length; i++) out[i] = a[perm[i]!]!;
  return out;
}
function nextCap(cap: number, need: number): number {
  let c = Math.max(16, cap);
  while (c < need) c = Math.ceil(c * 1.5);
  return c;
}

export interface AssetMeta {
  name: string;
  symbol: string | null;
  decimals: number | null;
}

/** Names for what the graph holds as integers; sync when the graph keeps them, async from a store. */
export type MaybePromise<T> = T | Promise<T>;
export interface TxNameRequest {
  /** UTXO transactions (graph ids). */
  utxo: readonly number[];
  /** Account transfers (graph transfer indices). */
  transfers: readonly number[];
  /** Inputs whose previous transaction is not loaded: its txid. */
  prevOf: readonly number[];
  /** Outputs spent by a transaction that is not loaded: its txid. */
  spenderOf: readonly number[];
}
export interface GraphNames {
  /** Graph ids of these addresses, -1 when the graph has never seen one. */
  addressIds(addresses: readonly string[]): MaybePromise<number[]>;
  addresses(ids: readonly number[]): MaybePromise<string[]>;
  txids(
    req: TxNameRequest,
  ): MaybePromise<{ utxo: string[]; transfers: string[]; prevOf: string[]; spenderOf: string[] }>;
}

/** Maps external integer keys (store ids) to dense ids: a table over the key range, a Map when it is sparse. */
export class DenseKeys {
  private table = new Int32Array(0);
  private base = 0;
  /** Smallest and largest key set (the table has slack around them). */
  private lo = 0;
  private hi = -1;
  private map: Map<number, number> | null = null;
  /** It fell back to a Map: the keys are too sparse for a table. */
  get sparse(): boolean {
    return this.map !== null;
  }
  get(key: number): number {
    if (this.map) return this.map.get(key) ?? -1;
    const i = key - this.base;
    return i >= 0 && i < this.table.length ? this.table[i]! : -1;
  }
  set(key: number, id: number, count: number): void {
    if (this.map) {
      this.map.set(key, id);
      return;
    }
    if (this.hi < this.lo) {
      this.lo = this.hi = key;
      this.base = key;
    }
    let i = key - this.base;
    if (i < 0 || i >= this.table.length) {
      // the span of the keys themselves, not of the table (whose slack would compound)
      const lo = Math.min(this.lo, key);
      const span = Math.max(this.hi, key) + 1 - lo;
      // a table of up to 16M slots (64 MB) is always fine; beyond, only when dense enough
      if (span > 8 * count + (1 << 24)) {
        // too sparse for a table
        this.map = new Map();
        for (let k = 0; k < this.table.length; k++)
          if (this.table[k]! >= 0) this.map.set(this.base + k, this.table[k]!);
        this.map.set(key, id);
        this.table = new Int32Array(0);
        return;
      }
      const size = Math.min(Math.max(2 * span, 1 << 16), span + (1 << 22));
      // slack on the side the keys grow to
      const base = key < this.base ? Math.max(Math.min(lo, 0), lo - (size - span)) : lo;
      const t = new Int32Array(size).fill(-1);
      const keep = this.table.subarray(0, Math.min(this.table.length, this.hi + 1 - this.base));
      t.set(keep.subarray(Math.max(0, base - this.base)), Math.max(0, this.base - base));
      this.table = t;
      this.base = base;
      i = key - base;
    }
    this.table[i] = id;
    if (key < this.lo) this.lo = key;
    if (key > this.hi) this.hi = key;
  }
}

/** Names kept by a graph built from rows (tests, small on-demand graphs). */
class OwnNames implements GraphNames {
  readonly addr: string[] = [];
  readonly addrIdx = new Map<string, number>();
  /** Every txid the graph has seen (own transactions, references, transfer transactions). */
  readonly txid: string[] = [];
  readonly txidIdx = new Map<string, number>();
  constructor(private readonly g: TraceGraph) {}
  internTxid(txid: string): number {
    let k = this.txidIdx.get(txid);
    if (k === undefined) {
      k = this.txid.length;
      this.txid.push(txid);
      this.txidIdx.set(txid, k);
    }
    return k;
  }
  addressIds(addresses: readonly string[]): number[] {
    return addresses.map((a) => this.addrIdx.get(a) ?? -1);
  }
  addresses(ids: readonly number[]): string[] {
    return ids.map((i) => this.addr[i]!);
  }
  txids(req: TxNameRequest) {
    const g = this.g;
    return {
      utxo: req.utxo.map((tx) => this.txid[g.txExt[tx]!]!),
      transfers: req.transfers.map((t) => this.txid[g.tag[t]!]!),
      prevOf: req.prevOf.map((i) => this.txid[g.inPrevKey[i]!]!),
      spenderOf: req.spenderOf.map((o) => this.txid[g.outSpentKey[o]!]!),
    };
  }
}

/** Rows as the store or an adapter gives them; the graph interns their strings itself. */
export interface GraphRows {
  utxoTxs?: Iterable<UtxoTx>;
  transfers?: Iterable<AccountTransfer>;
  /** Addresses whose full history these rows contain. */
  complete?: Iterable<string>;
}

/** A chunk of account transfers as columns of ids (what a store streams). */
export interface TransferChunk {
  count: number;
  /** Graph address ids; to = NO_ADDRESS when there is no recipient. */
  from: Int32Array;
  to: Int32Array;
  /** Graph asset ids (see `internAsset`). */
  asset: Int32Array;
  /** Kind order | F_SUCCESS. */
  flags: Int32Array | Uint8Array;
  block: Int32Array;
  txIndex: Int32Array;
  seq: Int32Array;
  /** Same within one transaction (any 31-bit hash of the txid). */
  tag: Int32Array;
  /** External row key (naming, and the tie-break of rows a valid chain never ties). */
  ext: Int32Array;
  /** value - 2^63 as int64; 2^63 - 1 means "in `big`". */
  value: BigInt64Array;
  /** Values of 2^64 - 1 and more, by chunk row. */
  big?: Map<number, Amount>;
}

export class TraceGraph {
  // ---------------------------------------------------------------- addresses
  addressCount = 0;
  private completeArr: Uint8Array = new Uint8Array(16);
  /** Every address's history is complete (a store-backed graph without a source to ask). */
  completeAll = false;
  /** External key of each address (store id), when the graph does not keep names itself. */
  addrExt: Int32Array = new Int32Array(16);
  readonly addrOfExt = new DenseKeys();
  /** Names, when built from rows. */
  readonly own: OwnNames | null;

  // ---------------------------------------------------------------- assets
  readonly assets: AssetMeta[] = [];
  private readonly assetIdx = new Map<string, number>();

  // ---------------------------------------------------------------- account transfers
  n = 0;
  private cap = 0;
  from: Int32Array = new Int32Array(0);
  to: Int32Array = new Int32Array(0);
  asset: Int32Array = new Int32Array(0);
  flags: Uint8Array = new Uint8Array(0);
  block: Int32Array = new Int32Array(0);
  txIndex: Int32Array = new Int32Array(0);
  seq: Int32Array = new Int32Array(0);
  tag: Int32Array = new Int32Array(0);
  ext: Int32Array = new Int32Array(0);
  values = new Values(0);
  /** Rows [0, sorted) are in chain order. */
  private sorted = 0;
  /** Rows appended after `sorted` are in order among themselves. */
  private tailInOrder = true;
  /** A row's order fields changed: sort everything. */
  private resort = false;
  /** Own rows: (txid|kind|seq) → external row key; ext → current index. */
  private rowKeys: Map<string, number> | null = null;
  private rowAt: number[] = [];

  // built by finalize()
  /** A dense number per transaction (consecutive rows with the same block, tx index and tag). */
  txKey: Int32Array = new Int32Array(0);
  txKeyCount = 0;
  cellCount = 0;
  cellAddr: Int32Array = new Int32Array(0);
  cellAsset: Int32Array = new Int32Array(0);
  fromCell: Int32Array = new Int32Array(0);
  toCell: Int32Array = new Int32Array(0);
  cellOff: Int32Array = new Int32Array(1);
  cellEntries: Int32Array = new Int32Array(0);
  addrCellOff: Int32Array = new Int32Array(1);
  addrCells: Int32Array = new Int32Array(0);
  /** 1 when the address appears in any transfer (failed ones included). */
  addrHasTransfers: Uint8Array = new Uint8Array(0);

  // ---------------------------------------------------------------- UTXO
  txCount = 0;
  private txCap = 0;
  txOrder: Int32Array = new Int32Array(0);
  txExt: Int32Array = new Int32Array(0);
  inStart: Int32Array = new Int32Array(1);
  outStart: Int32Array = new Int32Array(1);
  nIn = 0;
  nOut = 0;
  private inCap = 0;
  private outCap = 0;
  inTx: Int32Array = new Int32Array(0);
  inAddr: Int32Array = new Int32Array(0);
  inValue = new Values(0);
  /** External key of the previous transaction, -1 for coinbase, -3 unknown. */
  inPrevKey: Int32Array = new Int32Array(0);
  inPrevVout: Int32Array = new Int32Array(0);
  outTx: Int32Array = new Int32Array(0);
  outAddr: Int32Array = new Int32Array(0);
  outValue = new Values(0);
  /** External key of the spending transaction, or UNSPENT / SPENDER_UNKNOWN / SPENDER_NOT_LOADED (key unknown). */
  outSpentKey: Int32Array = new Int32Array(0);
  outSpentVin: Int32Array = new Int32Array(0);
  readonly txOfKey = new DenseKeys();
  // built by finalize()
  inPrevTx: Int32Array = new Int32Array(0);
  outSpender: Int32Array = new Int32Array(0);
  /** Transactions in block order (position → tx) and back. */
  posTx: Int32Array = new Int32Array(0);
  txPos: Int32Array = new Int32Array(0);
  recvOff: Int32Array = new Int32Array(1);
  recv: Int32Array = new Int32Array(0);
  spentOff: Int32Array = new Int32Array(1);
  spent: Int32Array = new Int32Array(0);

  private dirty = false;
  /** Bumped by every change: per-trace scratch is sized against it. */
  version = 0;

  /** `ownNames`: the graph interns address and txid strings itself (rows API). */
  constructor(opts: { ownNames?: boolean } = {}) {
    this.own = opts.ownNames === false ? null : new OwnNames(this);
  }

  /** The names of what the graph holds: its own, or the given ones (a store's). */
  names(external?: GraphNames): GraphNames {
    const n = this.own ?? external;
    if (!n) throw new Error("this graph keeps no names: give the store's");
    return n;
  }

  // ================================================================ addresses and assets

  /** Adds addresses by external key (store id); returns graph ids. */
  addressOfExt(key: number): number {
    let id = this.addrOfExt.get(key);
    if (id < 0) {
      id = this.newAddress();
      this.addrExt[id] = key;
      this.addrOfExt.set(key, id, this.addressCount);
    }
    return id;
  }

  private newAddress(): number {
    const id = this.addressCount++;
    if (id >= this.addrExt.length) {
      const cap = nextCap(this.addrExt.length, id + 1);
      this.addrExt = growI32(this.addrExt, cap);
      this.completeArr = growU8(this.completeArr, cap);
    }
    this.dirty = true;
    return id;
  }

  /** Graph id of an address string (own names only), adding it when new. */
  intern(address: string): number {
    const own = this.own!;
    let id = own.addrIdx.get(address);
    if (id === undefined) {
      id = this.newAddress();
      own.addrIdx.set(address, id);
      own.addr.push(address);
      this.addrExt[id] = id;
    }
    return id;
  }

  /** Graph id of an address (own names only), -1 when unknown. */
  addressId(address: string): number {
    return this.own?.addrIdx.get(address) ?? -1;
  }

  /** Graph id of a UTXO transaction by txid (own names only), -1 when not loaded. */
  utxoTxId(txid: string): number {
    const k = this.own?.txidIdx.get(txid);
    return k === undefined ? -1 : this.txOf(k);
  }

  historyComplete(addr: number): boolean {
    return this.completeAll || this.completeArr[addr] === 1;
  }

  markComplete(ids: Iterable<number>): this {
    for (const a of ids) this.completeArr[a] = 1;
    return this;
  }

  internAsset(name: string, symbol: string | null, decimals: number | null): number {
    let id = this.assetIdx.get(name);
    if (id === undefined) {
      id = this.assets.length;
      this.assetIdx.set(name, id);
      this.assets.push({ name, symbol, decimals });
      this.dirty = true;
    } else {
      const a = this.assets[id]!;
      a.symbol ??= symbol;
      a.decimals ??= decimals;
    }
    return id;
  }

  // ================================================================ rows API (own names)

  addRows(rows: GraphRows): this {
    for (const tx of rows.utxoTxs ?? []) this.addUtxoTx(tx);
    for (const t of rows.transfers ?? []) this.addTransfer(t);
    for (const a of rows.complete ?? []) this.completeArr[this.intern(a)] = 1;
    return this;
  }

  /** Idempotent by (txid, kind, seq): the same transfer again replaces its row. */
  addTransfer(t: AccountTransfer): this {
    const own = this.own!;
    this.rowKeys ??= new Map();
    const key = `${t.txid}|${t.kind}|${t.seq}`;
    const from = this.intern(t.from);
    const to = t.to === null ? NO_ADDRESS : this.intern(t.to);
    const asset = this.internAsset(t.asset, t.symbol, t.decimals);
    const tag = own.internTxid(t.txid);
    const flags = KIND_ORDER[t.kind] | (t.success ? F_SUCCESS : 0) | (t.value !== 0n ? F_NONZERO : 0);
    const known = this.rowKeys.get(key);
    if (known !== undefined) {
      const i = this.rowAt[known]!;
      if (this.from[i] !== from || this.to[i] !== to) throw new Error(`transfer ${key} changed its parties`);
      if (this.block[i] !== t.blockNumber || this.txIndex[i] !== t.txIndex) this.resort = true;
      this.asset[i] = asset;
      this.flags[i] = flags;
      this.block[i] = t.blockNumber;
      this.txIndex[i] = t.txIndex;
      this.values.set(i, t.value);
      this.dirty = true;
      this.version++;
      return this;
    }
    const rowKey = this.rowAt.length;
    this.rowKeys.set(key, rowKey);
    const i = this.pushTransfer(from, to, asset, flags, t.blockNumber, t.txIndex, t.seq, tag, rowKey);
    this.rowAt.push(i);
    this.values.set(i, t.value);
    return this;
  }

  private ensureTransferCap(need: number): void {
    if (need <= this.cap) return;
    const cap = nextCap(this.cap, need);
    this.from = growI32(this.from, cap);
    this.to = growI32(this.to, cap);
    this.asset = growI32(this.asset, cap);
    this.flags = growU8(this.flags, cap);
    this.block = growI32(this.block, cap);
    this.txIndex = growI32(this.txIndex, cap);
    this.seq = growI32(this.seq, cap);
    this.tag = growI32(this.tag, cap);
    this.ext = growI32(this.ext, cap);
    this.values.grow(cap);
    this.cap = cap;
  }

  /** Rows appended since the last finalize are in chain order (among themselves). */
  get appendedInOrder(): boolean {
    return this.tailInOrder;
  }

  /** Drops the rows appended from `n` on (not yet finalized): a load that is started over. */
  truncateTransfers(n: number): void {
    if (n < this.sorted || n > this.n) throw new RangeError(`cannot truncate to ${n}`);
    for (const i of this.values.big.keys()) if (i >= n) this.values.big.delete(i);
    this.n = n;
    this.tailInOrder = true;
    this.version++;
  }

  /** Pre-sizes the transfer columns (a store knows its row count before streaming). */
  reserveTransfers(n: number): void {
    this.ensureTransferCap(this.n + n);
  }

  private pushTransfer(
    from: number,
    to: number,
    asset: number,
    flags: number,
    block: number,
    txIndex: number,
    seq: number,
    tag: number,
    ext: number,
  ): number {
    this.ensureTransferCap(this.n + 1);
    const i = this.n++;
    this.from[i] = from;
    this.to[i] = to;
    this.asset[i] = asset;
    this.flags[i] = flags;
    this.block[i] = block;
    this.txIndex[i] = txIndex;
    this.seq[i] = seq;
    this.tag[i] = tag;
    this.ext[i] = ext;
    this.noteAppended(i);
    return i;
  }

  private noteAppended(i: number): void {
    if (i > this.sorted && this.tailInOrder && this.cmp(i - 1, i) > 0) this.tailInOrder = false;
    this.dirty = true;
    this.version++;
  }

  /** Appends a chunk of transfers (ids already graph ids). */
  addTransferChunk(c: TransferChunk): this {
    const k = c.count;
    this.ensureTransferCap(this.n + k);
    const at = this.n;
    this.from.set(c.from.subarray(0, k), at);
    this.to.set(c.to.subarray(0, k), at);
    this.asset.set(c.asset.subarray(0, k), at);
    this.block.set(c.block.subarray(0, k), at);
    this.txIndex.set(c.txIndex.subarray(0, k), at);
    this.seq.set(c.seq.subarray(0, k), at);
    this.tag.set(c.tag.subarray(0, k), at);
    this.ext.set(c.ext.subarray(0, k), at);
    this.values.setEncoded(at, c.value, k);
    const words = new Uint32Array(this.values.lo.buffer, this.values.lo.byteOffset + at * 8, k * 2);
    const flags = this.flags;
    const cf = c.flags;
    for (let j = 0; j < k; j++)
      flags[at + j] =
        (cf[j]! & (F_KIND | F_SUCCESS)) | ((words[2 * j]! | words[2 * j + 1]!) !== 0 ? F_NONZERO : 0);
    if (c.big) for (const [j, v] of c.big) this.values.set(at + j, v);
    if (this.tailInOrder) {
      const { block, txIndex, seq } = this;
      for (let i = Math.max(at, this.sorted + 1); i < at + k; i++) {
        const d =
          block[i - 1]! - block[i]! ||
          txIndex[i - 1]! - txIndex[i]! ||
          (flags[i - 1]! & F_KIND) - (flags[i]! & F_KIND) ||
          seq[i - 1]! - seq[i]!;
        if (d > 0 || (d === 0 && this.cmp(i - 1, i) > 0)) {
          this.tailInOrder = false;
          break;
        }
      }
    }
    this.n = at + k;
    this.dirty = true;
    this.version++;
    return this;
  }

  /** Chain order of two rows. */
  private cmp(a: number, b: number): number {
    const d =
      this.block[a]! - this.block[b]! ||
      this.txIndex[a]! - this.txIndex[b]! ||
      (this.flags[a]! & F_KIND) - (this.flags[b]! & F_KIND) ||
      this.seq[a]! - this.seq[b]!;
    if (d !== 0) return d;
    if (this.own) {
      const x = this.own.txid[this.tag[a]!]!;
      const y = this.own.txid[this.tag[b]!]!;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return this.ext[a]! - this.ext[b]!;
  }

  // ================================================================ UTXO

  private ensureTxCap(need: number): void {
    if (need <= this.txCap) return;
    const cap = nextCap(this.txCap, need);
    this.txOrder = growI32(this.txOrder, cap);
    this.txExt = growI32(this.txExt, cap);
    this.inStart = growI32(this.inStart, cap + 1);
    this.outStart = growI32(this.outStart, cap + 1);
    this.txCap = cap;
  }
  private ensureInCap(need: number): void {
    if (need <= this.inCap) return;
    const cap = nextCap(this.inCap, need);
    this.inTx = growI32(this.inTx, cap);
    this.inAddr = growI32(this.inAddr, cap);
    this.inPrevKey = growI32(this.inPrevKey, cap);
    this.inPrevVout = growI32(this.inPrevVout, cap);
    this.inValue.grow(cap);
    this.inCap = cap;
  }
  private ensureOutCap(need: number): void {
    if (need <= this.outCap) return;
    const cap = nextCap(this.outCap, need);
    this.outTx = growI32(this.outTx, cap);
    this.outAddr = growI32(this.outAddr, cap);
    this.outSpentKey = growI32(this.outSpentKey, cap);
    this.outSpentVin = growI32(this.outSpentVin, cap);
    this.outValue.grow(cap);
    this.outCap = cap;
  }

  /** Graph id of the transaction with this external key, -1 when not loaded. */
  txOf(key: number): number {
    return this.txOfKey.get(key);
  }

  /**
   * Appends one transaction with `nIn` inputs and `nOut` outputs (filled by the caller through the
   * returned start indices). Its key must be new.
   */
  beginTx(key: number, order: number, nIn: number, nOut: number): { tx: number; in0: number; out0: number } {
    const tx = this.txCount++;
    this.ensureTxCap(tx + 1);
    this.ensureInCap(this.nIn + nIn);
    this.ensureOutCap(this.nOut + nOut);
    this.txOrder[tx] = order;
    this.txExt[tx] = key;
    this.txOfKey.set(key, tx, this.txCount);
    const in0 = this.nIn;
    const out0 = this.nOut;
    this.inStart[tx] = in0;
    this.outStart[tx] = out0;
    this.nIn += nIn;
    this.nOut += nOut;
    this.inStart[tx + 1] = this.nIn;
    this.outStart[tx + 1] = this.nOut;
    for (let i = in0; i < this.nIn; i++) {
      this.inTx[i] = tx;
      this.inAddr[i] = NO_ADDRESS;
      this.inPrevKey[i] = PREV_COINBASE;
      this.inPrevVout[i] = 0;
      this.inValue.set(i, 0n);
    }
    for (let o = out0; o < this.nOut; o++) {
      this.outTx[o] = tx;
      this.outAddr[o] = NO_ADDRESS;
      this.outSpentKey[o] = SPENDER_UNKNOWN;
      this.outSpentVin[o] = 0;
      this.outValue.set(o, 0n);
    }
    this.dirty = true;
    this.version++;
    return { tx, in0, out0 };
  }

  setTxOrder(tx: number, order: number): void {
    if (this.txOrder[tx] !== order) {
      this.txOrder[tx] = order;
      this.dirty = true;
      this.version++;
    }
  }

  /** Records what is known of an output's spend (a later row may know more: never forget what is known). */
  setOutputSpend(o: number, spenderKey: number, vin: number): void {
    this.outSpentKey[o] = spenderKey;
    this.outSpentVin[o] = vin;
    this.dirty = true;
    this.version++;
  }

  /** Links an input to the transaction it spends, once that one has a key (it was loaded later). */
  setInputPrev(i: number, key: number): void {
    this.inPrevKey[i] = key;
    this.dirty = true;
    this.version++;
  }

  /** Idempotent by txid: the same transaction again updates its block and what is known of its spends. */
  addUtxoTx(tx: UtxoTx): this {
    const own = this.own!;
    const key = own.internTxid(tx.txid);
    const order = tx.block ? tx.block.height : UNCONFIRMED_ORDER;
    const known = this.txOf(key);
    if (known >= 0) {
      this.setTxOrder(known, order);
      const o0 = this.outStart[known]!;
      const o1 = this.outStart[known + 1]!;
      for (const out of tx.outputs) {
        const o = o0 + out.vout;
        if (o < o1 && out.spentBy !== undefined)
          this.setOutputSpend(
            o,
            out.spentBy === null ? UNSPENT : own.internTxid(out.spentBy.txid),
            out.spentBy?.vin ?? 0,
          );
      }
      return this;
    }
    const nIn = tx.inputs.reduce((m, i) => Math.max(m, i.vin + 1), 0);
    const nOut = tx.outputs.reduce((m, o) => Math.max(m, o.vout + 1), 0);
    const { in0, out0 } = this.beginTx(key, order, nIn, nOut);
    for (const inp of tx.inputs) {
      const i = in0 + inp.vin;
      this.inAddr[i] = inp.address === null ? NO_ADDRESS : this.intern(inp.address);
      this.inValue.set(i, inp.value);
      if (!inp.isCoinbase && inp.prevTxid !== null) {
        this.inPrevKey[i] = own.internTxid(inp.prevTxid);
        this.inPrevVout[i] = inp.prevVout ?? 0;
      }
    }
    for (const out of tx.outputs) {
      const o = out0 + out.vout;
      this.outAddr[o] = out.address === null ? NO_ADDRESS : this.intern(out.address);
      this.outValue.set(o, out.value);
      if (out.spentBy !== undefined)
        this.setOutputSpend(
          o,
          out.spentBy === null ? UNSPENT : own.internTxid(out.spentBy.txid),
          out.spentBy?.vin ?? 0,
        );
    }
    return this;
  }

  // ================================================================ finalize

  /** Brings the derived indexes up to date (the engine calls it before every trace). */
  finalize(): this {
    if (!this.dirty) return this;
    this.dirty = false;
    this.sortTransfers();
    this.buildTxKeys();
    this.buildCells();
    this.buildUtxo();
    this.version++;
    return this;
  }

  private sortTransfers(): void {
    const n = this.n;
    if (this.sorted === n && !this.resort) return;
    let perm: Int32Array | null = null;
    if (this.resort) {
      perm = Int32Array.from({ length: n }, (_, i) => i);
      perm.sort((a, b) => this.cmp(a, b) || a - b);
    } else {
      const m = this.sorted;
      const tail = new Int32Array(this.tailInOrder && (m === 0 || this.cmp(m - 1, m) <= 0) ? 0 : n - m);
      for (let i = 0; i < tail.length; i++) tail[i] = m + i;
      if (tail.length === 0)
        perm = null; // appended in order after what was there
      else if (!this.tailInOrder) tail.sort((a, b) => this.cmp(a, b) || a - b);
      if (tail.length === 0) {
        // nothing to move
      } else if (m === 0 || this.cmp(m - 1, tail[0]!) <= 0) {
        perm = new Int32Array(n);
        for (let i = 0; i < m; i++) perm[i] = i;
        perm.set(tail, m);
      } else {
        perm = new Int32Array(n);
        let a = 0;
        let b = 0;
        let k = 0;
        while (a < m && b < tail.length) perm[k++] = this.cmp(a, tail[b]!) <= 0 ? a++ : tail[b++]!;
        while (a < m) perm[k++] = a++;
        while (b < tail.length) perm[k++] = tail[b++]!;
      }
    }
    if (perm) {
      const cap = this.cap;
      this.from = permI32(this.from, perm, cap);
      this.to = permI32(this.to, perm, cap);
      this.asset = permI32(this.asset, perm, cap);
      this.block = permI32(this.block, perm, cap);
      this.txIndex = permI32(this.txIndex, perm, cap);
      this.seq = permI32(this.seq, perm, cap);
      this.tag = permI32(this.tag, perm, cap);
      this.ext = permI32(this.ext, perm, cap);
      const f = new Uint8Array(cap);
      for (let i = 0; i < n; i++) f[i] = this.flags[perm[i]!]!;
      this.flags = f;
      this.values.permute(perm, cap);
      if (this.rowKeys) for (let i = 0; i < n; i++) this.rowAt[this.ext[i]!] = i;
    }
    this.sorted = n;
    this.tailInOrder = true;
    this.resort = false;
  }

  private buildTxKeys(): void {
    const n = this.n;
    if (this.txKey.length < n) this.txKey = new Int32Array(this.cap);
    let k = -1;
    for (let i = 0; i < n; i++) {
      if (
        i === 0 ||
        this.block[i] !== this.block[i - 1] ||
        this.txIndex[i] !== this.txIndex[i - 1] ||
        this.tag[i] !== this.tag[i - 1]
      )
        k++;
      this.txKey[i] = k;
    }
    this.txKeyCount = k + 1;
  }

  private buildCells(): void {
    const n = this.n;
    const nAddr = this.addressCount;
    const { from, to, asset, flags } = this;
    const has = new Uint8Array(nAddr);
    if (this.assets.length <= 1) {
      // one asset: a cell is its address
      this.cellCount = nAddr;
      this.cellAddr = new Int32Array(nAddr);
      for (let a = 0; a < nAddr; a++) this.cellAddr[a] = a;
      this.cellAsset = new Int32Array(nAddr);
      this.fromCell = from;
      this.toCell = to;
    } else {
      const span = this.assets.length;
      const ids = new Map<number, number>();
      const addrs: number[] = [];
      const assets: number[] = [];
      const cellOf = (a: number, s: number) => {
        const key = a * span + s;
        let c = ids.get(key);
        if (c === undefined) {
          c = addrs.length;
          ids.set(key, c);
          addrs.push(a);
          assets.push(s);
        }
        return c;
      };
      const fc = new Int32Array(n);
      const tc = new Int32Array(n);
      for (let t = 0; t < n; t++) {
        fc[t] = cellOf(from[t]!, asset[t]!);
        tc[t] = to[t]! >= 0 ? cellOf(to[t]!, asset[t]!) : -1;
      }
      this.cellCount = addrs.length;
      this.cellAddr = Int32Array.from(addrs);
      this.cellAsset = Int32Array.from(assets);
      this.fromCell = fc;
      this.toCell = tc;
    }
    // entries per cell, chain order; failed non-fee transfers move nothing
    const nc = this.cellCount;
    const { fromCell, toCell } = this;
    const off = new Int32Array(nc + 1);
    for (let t = 0; t < n; t++) {
      const f = flags[t]!;
      if ((f & F_SUCCESS) === 0 && (f & F_KIND) !== KIND_FEE) {
        has[from[t]!] = 1;
        if (to[t]! >= 0) has[to[t]!] = 1;
        continue;
      }
      off[fromCell[t]! + 1]!++;
      if (toCell[t]! >= 0) off[toCell[t]! + 1]!++;
    }
    for (let c = 0; c < nc; c++) {
      if (off[c + 1]! > 0) has[this.cellAddr[c]!] = 1;
      off[c + 1]! += off[c]!;
    }
    this.addrHasTransfers = has;
    const fill = off.slice(0, nc);
    const entries = new Int32Array(off[nc]!);
    for (let t = 0; t < n; t++) {
      const f = flags[t]!;
      if ((f & F_SUCCESS) === 0 && (f & F_KIND) !== KIND_FEE) continue;
      entries[fill[fromCell[t]!]!++] = t * 2;
      if (toCell[t]! >= 0) entries[fill[toCell[t]!]!++] = t * 2 + 1;
    }
    this.cellOff = off;
    this.cellEntries = entries;
    // address → its cells
    const aoff = new Int32Array(nAddr + 1);
    for (let c = 0; c < nc; c++) aoff[this.cellAddr[c]! + 1]!++;
    for (let a = 0; a < nAddr; a++) aoff[a + 1]! += aoff[a]!;
    const afill = aoff.slice(0, nAddr);
    const cells = new Int32Array(nc);
    for (let c = 0; c < nc; c++) cells[afill[this.cellAddr[c]!]!++] = c;
    this.addrCellOff = aoff;
    this.addrCells = cells;
  }

  private buildUtxo(): void {
    const nTx = this.txCount;
    const nIn = this.nIn;
    const nOut = this.nOut;
    const nAddr = this.addressCount;
    // links: a loaded input spending an output is the best evidence of who spent it
    const prevTx = new Int32Array(nIn);
    const spender = new Int32Array(nOut);
    for (let o = 0; o < nOut; o++) {
      const k = this.outSpentKey[o]!;
      if (k < 0)
        spender[o] = k === UNSPENT ? UNSPENT : k === SPENDER_UNKNOWN ? SPENDER_UNKNOWN : SPENDER_NOT_LOADED;
      else {
        const by = this.txOf(k);
        const i = by >= 0 ? this.inStart[by]! + this.outSpentVin[o]! : -1;
        spender[o] = by >= 0 && i < this.inStart[by + 1]! ? i : SPENDER_NOT_LOADED;
      }
    }
    for (let i = 0; i < nIn; i++) {
      const k = this.inPrevKey[i]!;
      if (k === PREV_COINBASE) {
        prevTx[i] = PREV_COINBASE;
        continue;
      }
      const p = k >= 0 ? this.txOf(k) : -1;
      prevTx[i] = p >= 0 ? p : PREV_NOT_LOADED;
      if (p >= 0) {
        const o = this.outStart[p]! + this.inPrevVout[i]!;
        if (o < this.outStart[p + 1]!) spender[o] = i;
      }
    }
    this.inPrevTx = prevTx;
    this.outSpender = spender;
    // block order
    const pos = Int32Array.from({ length: nTx }, (_, i) => i);
    const order = this.txOrder;
    pos.sort((a, b) => order[a]! - order[b]! || a - b);
    this.posTx = pos;
    this.txPos = new Int32Array(nTx);
    for (let p = 0; p < nTx; p++) this.txPos[pos[p]!] = p;
    // per address: outputs received, inputs spent
    const r = csrByOwner(nAddr, this.outAddr, nOut);
    this.recvOff = r.off;
    this.recv = r.list;
    const s = csrByOwner(nAddr, this.inAddr, nIn);
    this.spentOff = s.off;
    this.spent = s.list;
  }

  // ================================================================ accessors

  transferValue(t: number): Amount {
    return this.values.get(t);
  }
  transferKind(t: number): TransferKind {
    return KINDS[this.flags[t]! & F_KIND]!;
  }
  isFee(t: number): boolean {
    return (this.flags[t]! & F_KIND) === KIND_FEE;
  }
  transferSuccess(t: number): boolean {
    return (this.flags[t]! & F_SUCCESS) !== 0;
  }
  /** Entries of a cell, chain order. */
  cellList(c: number): Int32Array {
    return this.cellEntries.subarray(this.cellOff[c]!, this.cellOff[c + 1]!);
  }
  cellsOf(addr: number): Int32Array {
    return this.addrCells.subarray(this.addrCellOff[addr]!, this.addrCellOff[addr + 1]!);
  }
  receivedOutputs(addr: number): Int32Array {
    return this.recv.subarray(this.recvOff[addr]!, this.recvOff[addr + 1]!);
  }
  spentInputs(addr: number): Int32Array {
    return this.spent.subarray(this.spentOff[addr]!, this.spentOff[addr + 1]!);
  }

  /** Rough size of the typed arrays (bytes). */
  typedBytes(): number {
    let b = 0;
    for (const v of Object.values(this))
      if (ArrayBuffer.isView(v)) b += (v as ArrayBufferView).byteLength;
      else if (v instanceof Values) b += v.lo.byteLength;
    return b;
  }
}

function csrByOwner(nAddr: number, owner: Int32Array, count: number): { off: Int32Array; list: Int32Array } {
  const off = new Int32Array(nAddr + 1);
  for (let i = 0; i < count; i++) if (owner[i]! >= 0) off[owner[i]! + 1]!++;
  for (let a = 0; a < nAddr; a++) off[a + 1]! += off[a]!;
  const fill = off.slice(0, nAddr);
  const list = new Int32Array(off[nAddr]!);
  for (let i = 0; i < count; i++) if (owner[i]! >= 0) list[fill[owner[i]!]!++] = i;
  return { off, list };
}

/** A graph that keeps its own names, built from store or adapter rows (tests, small graphs). */
export function graphFromRows(rows: GraphRows = {}): TraceGraph {
  return new TraceGraph().addRows(rows);
}
