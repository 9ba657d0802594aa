/**
 * Compact CSR flow graph in typed arrays, built in O(n) from columnar chunks (as DuckDB streams
 * them: `ORDER BY block_number, tx_index, kind order, seq` for transfers).
 *
 * Memory per account transfer: from/to/asset/tx (4 × Int32), value (BigUint64 + a side map for
 * values ≥ 2^64), kind/success flags (Uint8) and two adjacency entries (2 × Int32): about 33 bytes,
 * plus 32 bytes per distinct transaction hash (packed binary when it is 64 lower-case hex digits,
 * optionally 0x-prefixed) and the interned address strings.
 *
 * Unsorted input is accepted (sorted once at build, O(n log n)); sorted input builds in O(n).
 */
import type { AccountTransfer, Amount, TransferKind, UtxoTx } from "../domain.ts";
import {
  type FlowGraph,
  KIND_ORDER,
  KINDS,
  PREV_COINBASE,
  PREV_NOT_LOADED,
  SPENDER_NOT_LOADED,
  SPENDER_UNKNOWN,
  UNCONFIRMED_ORDER,
  UNSPENT,
} from "./graph.ts";

type Col<T> = ArrayLike<T>;

/** Columns of account transfers; every column has the same length. */
export interface AccountColumns {
  txid: Col<string>;
  kind: Col<string>;
  seq: Col<number>;
  blockNumber: Col<number | bigint>;
  txIndex: Col<number | null>;
  /** Sender / recipient addresses; or give `fromId` / `toId` (dictionary ids, see `addAddresses`). */
  from?: Col<string>;
  to?: Col<string | null>;
  /** Ids into the address dictionary (`addAddresses`), -1 for no recipient. Faster: no hashing. */
  fromId?: Col<number>;
  toId?: Col<number>;
  /** "ETH" (native symbol) or the token's lower-case contract address. */
  asset: Col<string>;
  value: Col<bigint>;
  success: Col<boolean | number>;
  symbol?: Col<string | null>;
  decimals?: Col<number | null>;
}

export interface UtxoTxColumns {
  txid: Col<string>;
  /** Block height, null when unconfirmed. */
  height: Col<number | bigint | null>;
  fee: Col<bigint>;
}

export interface UtxoInputColumns {
  txid: Col<string>;
  vin: Col<number>;
  prevTxid: Col<string | null>;
  prevVout: Col<number | null>;
  address: Col<string | null>;
  value: Col<bigint>;
  isCoinbase?: Col<boolean>;
}

export interface UtxoOutputColumns {
  txid: Col<string>;
  vout: Col<number>;
  address: Col<string | null>;
  value: Col<bigint>;
  /** Spending txid; null = unspent when asked (unless spentKnown says it was never asked). */
  spentByTxid: Col<string | null | undefined>;
  spentByVin: Col<number | null>;
  /** false = nobody asked whether this output is spent (SPENDER_UNKNOWN). Default: asked. */
  spentKnown?: Col<boolean>;
}

export interface CsrBuilderOptions {
  /** Expected number of transfers (pre-sizes the arrays; avoids growth copies). */
  expectedTransfers?: number;
  /** Expected number of distinct account transactions (default: half the transfers). */
  expectedTxs?: number;
  /** Addresses with a complete history: "all", or a list. Default: none. */
  complete?: "all" | Iterable<string>;
}

const U64_MAX = (1n << 64n) - 1n;

/** bigint column: BigUint64Array, with values ≥ 2^64 - 1 kept in a side map. */
class ValueColumn {
  lo: BigUint64Array;
  big = new Map<number, bigint>();
  constructor(cap: number) {
    this.lo = new BigUint64Array(cap);
  }
  set(i: number, v: bigint): void {
    if (v < 0n) throw new RangeError(`negative amount ${v}`);
    if (v >= U64_MAX) {
      this.lo[i] = U64_MAX;
      this.big.set(i, v);
    } else this.lo[i] = v;
  }
  get(i: number): bigint {
    const x = this.lo[i]!;
    return x === U64_MAX ? this.big.get(i)! : x;
  }
  grow(cap: number): void {
    const n = new BigUint64Array(cap);
    n.set(this.lo.subarray(0, Math.min(cap, this.lo.length)));
    this.lo = n;
  }
  permute(perm: Int32Array): void {
    const n = new BigUint64Array(this.lo.length);
    const big = new Map<number, bigint>();
    for (let i = 0; i < perm.length; i++) {
      const src = perm[i]!;
      n[i] = this.lo[src]!;
      if (n[i] === U64_MAX) big.set(i, this.big.get(src)!);
    }
    this.lo = n;
    this.big = big;
  }
}

function growI32(a: Int32Array, cap: number): Int32Array {
  const n = new Int32Array(cap);
  n.set(a.subarray(0, Math.min(cap, a.length)));
  return n;
}
function growU8(a: Uint8Array, cap: number): Uint8Array {
  const n = new Uint8Array(cap);
  n.set(a.subarray(0, Math.min(cap, a.length)));
  return n;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Packs a 64-hex-digit txid (optionally 0x-prefixed, lower case) into 32 bytes; -1 when it is not one. */
function packHex(s: string, out: Uint8Array, at: number): number {
  let p = 0;
  let fmt = 0;
  if (s.length === 66 && s.charCodeAt(0) === 48 && s.charCodeAt(1) === 120) {
    p = 2;
    fmt = 1;
  } else if (s.length !== 64) return -1;
  for (let i = 0; i < 32; i++) {
    const hi = hexNibble(s.charCodeAt(p + 2 * i));
    const lo = hexNibble(s.charCodeAt(p + 2 * i + 1));
    if (hi < 0 || lo < 0) return -1;
    out[at + i] = (hi << 4) | lo;
  }
  return fmt;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Transaction hashes by slot: packed binary, or the string itself when it is not plain hex. */
class TxidStore {
  bytes: Uint8Array;
  fmt: Uint8Array;
  other = new Map<number, string>();
  count = 0;
  constructor(cap: number) {
    this.bytes = new Uint8Array(cap * 32);
    this.fmt = new Uint8Array(cap);
  }
  push(txid: string): number {
    const slot = this.count++;
    if (slot >= this.fmt.length) {
      const cap = Math.max(16, this.fmt.length * 2);
      this.fmt = growU8(this.fmt, cap);
      this.bytes = growU8(this.bytes, cap * 32);
    }
    const f = packHex(txid, this.bytes, slot * 32);
    if (f < 0) {
      this.fmt[slot] = 2;
      this.other.set(slot, txid);
    } else this.fmt[slot] = f;
    return slot;
  }
  get(slot: number): string {
    const f = this.fmt[slot]!;
    if (f === 2) return this.other.get(slot)!;
    let s = f === 1 ? "0x" : "";
    const b = this.bytes;
    for (let i = slot * 32, end = i + 32; i < end; i++) s += HEX[b[i]!]!;
    return s;
  }
  /** Equality of a stored slot with a txid string (no allocation for packed slots). */
  equals(slot: number, txid: string, scratch: Uint8Array): boolean {
    const f = this.fmt[slot]!;
    if (f === 2) return this.other.get(slot) === txid;
    const g = packHex(txid, scratch, 0);
    if (g !== f) return false;
    const b = this.bytes;
    const at = slot * 32;
    for (let i = 0; i < 32; i++) if (b[at + i] !== scratch[i]) return false;
    return true;
  }
  trim(): void {
    if (this.fmt.length - this.count > this.count >> 3) {
      this.fmt = this.fmt.slice(0, this.count);
      this.bytes = this.bytes.slice(0, this.count * 32);
    }
  }
}

/** Interning txid → slot with an open-addressing table over the packed hashes. */
class TxidTable {
  store = new TxidStore(16);
  private table = new Int32Array(64).fill(-1);
  private readonly scratch = new Uint8Array(32);
  private hash(txid: string): number {
    const s = this.scratch;
    if (packHex(txid, s, 0) < 0) {
      let h = 2166136261;
      for (let i = 0; i < txid.length; i++) h = Math.imul(h ^ txid.charCodeAt(i), 16777619);
      return h >>> 0;
    }
    return ((s[0]! | (s[1]! << 8) | (s[2]! << 16) | (s[3]! << 24)) ^ (s[31]! * 2654435761)) >>> 0;
  }
  get(txid: string): number {
    const mask = this.table.length - 1;
    for (let i = this.hash(txid) & mask; ; i = (i + 1) & mask) {
      const slot = this.table[i]!;
      if (slot < 0) return -1;
      if (this.store.equals(slot, txid, this.scratch)) return slot;
    }
  }
  intern(txid: string): number {
    const found = this.get(txid);
    if (found >= 0) return found;
    if ((this.store.count + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    const slot = this.store.push(txid);
    const mask = this.table.length - 1;
    let i = this.hash(txid) & mask;
    while (this.table[i]! >= 0) i = (i + 1) & mask;
    this.table[i] = slot;
    return slot;
  }
  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let slot = 0; slot < this.store.count; slot++) {
      let i = this.hash(this.store.get(slot)) & mask;
      while (this.table[i]! >= 0) i = (i + 1) & mask;
      this.table[i] = slot;
    }
  }
}

interface UtxoTmp {
  txTable: TxidTable;
  txSlot: number[];
  txOrder: number[];
  txFee: bigint[];
  inSlot: number[];
  inVin: number[];
  inPrev: number[];
  inPrevVout: number[];
  inAddr: number[];
  inValue: bigint[];
  outSlot: number[];
  outVout: number[];
  outAddr: number[];
  outValue: bigint[];
  /** -2 unknown, -1 unspent, else spender slot */
  outSpent: number[];
  outSpentVin: number[];
}

/** Streams columnar chunks into a {@link CsrGraph}. Call `build()` once. */
export class CsrBuilder {
  /** null while stale (after a dictionary was added): rebuilt on the next string lookup. */
  private addrIds: Map<string, number> | null = new Map<string, number>();
  private readonly addrs: string[] = [];
  private readonly assetIds = new Map<string, number>();
  private readonly assets: { name: string; symbol: string | null; decimals: number | null }[] = [];
  private n = 0;
  private cap: number;
  private from: Int32Array;
  private to: Int32Array;
  private asset: Int32Array;
  private txSlot: Int32Array;
  private flags: Uint8Array;
  private block: Int32Array;
  private txIndex: Int32Array;
  private seq: Int32Array;
  private readonly values: ValueColumn;
  private readonly txids: TxidStore;
  private lastTxid = "";
  private sorted = true;
  private readonly completeOpt: "all" | Iterable<string> | undefined;
  private utxo: UtxoTmp | null = null;
  private built = false;

  constructor(opts: CsrBuilderOptions = {}) {
    const cap = Math.max(16, opts.expectedTransfers ?? 1024);
    this.cap = cap;
    this.from = new Int32Array(cap);
    this.to = new Int32Array(cap);
    this.asset = new Int32Array(cap);
    this.txSlot = new Int32Array(cap);
    this.flags = new Uint8Array(cap);
    this.block = new Int32Array(cap);
    this.txIndex = new Int32Array(cap);
    this.seq = new Int32Array(cap);
    this.values = new ValueColumn(cap);
    this.txids = new TxidStore(Math.max(16, opts.expectedTxs ?? cap >> 1));
    this.completeOpt = opts.complete;
  }

  private intern(address: string): number {
    this.addrIds ??= indexOf(this.addrs);
    let id = this.addrIds.get(address);
    if (id === undefined) {
      id = this.addrs.length;
      this.addrIds.set(address, id);
      this.addrs.push(address);
    }
    return id;
  }

  /**
   * Appends distinct addresses to the dictionary; their ids are their positions (after the ones
   * already known). Rows can then give `fromId` / `toId` instead of strings, which avoids hashing
   * every address (DuckDB can join the ids in). A dictionary sorted by address (in UTF-16 code
   * unit order) also makes `addressId` a binary search, with no hash map at all.
   */
  addAddresses(addresses: ArrayLike<string>): this {
    for (let k = 0; k < addresses.length; k++) this.addrs.push(addresses[k]!);
    this.addrIds = null;
    return this;
  }

  private internAsset(name: string, symbol: string | null, decimals: number | null): number {
    let id = this.assetIds.get(name);
    if (id === undefined) {
      id = this.assets.length;
      this.assetIds.set(name, id);
      this.assets.push({ name, symbol, decimals });
    } else {
      const a = this.assets[id]!;
      a.symbol ??= symbol;
      a.decimals ??= decimals;
    }
    return id;
  }

  private growTo(need: number): void {
    if (need <= this.cap) return;
    let cap = this.cap;
    while (cap < need) cap = Math.ceil(cap * 1.5);
    this.from = growI32(this.from, cap);
    this.to = growI32(this.to, cap);
    this.asset = growI32(this.asset, cap);
    this.txSlot = growI32(this.txSlot, cap);
    this.flags = growU8(this.flags, cap);
    this.block = growI32(this.block, cap);
    this.txIndex = growI32(this.txIndex, cap);
    this.seq = growI32(this.seq, cap);
    this.values.grow(cap);
    this.cap = cap;
  }

  /** Appends a chunk of account transfers. */
  addTransfers(c: AccountColumns): this {
    if (this.built) throw new Error("CsrBuilder: already built");
    const len = c.txid.length;
    this.growTo(this.n + len);
    // hoisted: this loop runs 10M times for a large graph
    const { txid: txidCol, kind: kindCol, success: okCol, blockNumber: blockCol, txIndex: txIndexCol } = c;
    const { seq: seqCol, from: fromCol, to: toCol, asset: assetCol, value: valueCol, symbol, decimals } = c;
    const { fromId, toId } = c;
    const nDict = this.addrs.length;
    if ((!fromCol && !fromId) || (!toCol && !toId))
      throw new RangeError("CsrBuilder: from/to or fromId/toId needed");
    const { txSlot, flags, block, txIndex, seq, from, to, asset, values, txids } = this;
    const kindCode = KIND_ORDER as Readonly<Record<string, number>>;
    let last = this.lastTxid;
    let sorted = this.sorted;
    let i = this.n;
    for (let k = 0; k < len; k++, i++) {
      const txid = txidCol[k]!;
      if (txid !== last || i === 0) {
        txids.push(txid);
        last = txid;
      }
      txSlot[i] = txids.count - 1;
      const kind = kindCode[kindCol[k]!];
      if (kind === undefined) throw new RangeError(`unknown transfer kind ${kindCol[k]}`);
      const ok = okCol[k];
      flags[i] = kind | (ok === true || ok === 1 ? 4 : 0);
      const b = blockCol[k]!;
      block[i] = typeof b === "number" ? b : Number(b);
      txIndex[i] = txIndexCol[k] ?? 0;
      seq[i] = seqCol[k]!;
      if (fromId) {
        const f = fromId[k]!;
        if (!(f >= 0 && f < nDict)) throw new RangeError(`CsrBuilder: fromId ${f} outside the dictionary`);
        from[i] = f;
      } else from[i] = this.intern(fromCol![k]!);
      if (toId) {
        const r = toId[k]!;
        if (!(r >= -1 && r < nDict)) throw new RangeError(`CsrBuilder: toId ${r} outside the dictionary`);
        to[i] = r;
      } else {
        const t = toCol![k];
        to[i] = t === null || t === undefined ? -1 : this.intern(t);
      }
      asset[i] = this.internAsset(assetCol[k]!, symbol?.[k] ?? null, decimals?.[k] ?? null);
      values.set(i, valueCol[k]!);
      if (sorted && i > 0 && this.cmp(i - 1, i) > 0) sorted = false;
    }
    this.n = i;
    this.lastTxid = last;
    this.sorted = sorted;
    return this;
  }

  private cmp(a: number, b: number): number {
    return (
      this.block[a]! - this.block[b]! ||
      this.txIndex[a]! - this.txIndex[b]! ||
      (this.flags[a]! & 3) - (this.flags[b]! & 3) ||
      this.seq[a]! - this.seq[b]!
    );
  }

  private utxoTmp(): UtxoTmp {
    this.utxo ??= {
      txTable: new TxidTable(),
      txSlot: [],
      txOrder: [],
      txFee: [],
      inSlot: [],
      inVin: [],
      inPrev: [],
      inPrevVout: [],
      inAddr: [],
      inValue: [],
      outSlot: [],
      outVout: [],
      outAddr: [],
      outValue: [],
      outSpent: [],
      outSpentVin: [],
    };
    return this.utxo;
  }

  addUtxoTxs(c: UtxoTxColumns): this {
    const u = this.utxoTmp();
    for (let k = 0; k < c.txid.length; k++) {
      const h = c.height[k];
      u.txSlot.push(u.txTable.intern(c.txid[k]!));
      u.txOrder.push(h === null || h === undefined ? UNCONFIRMED_ORDER : Number(h));
      u.txFee.push(c.fee[k]!);
    }
    return this;
  }

  addUtxoInputs(c: UtxoInputColumns): this {
    const u = this.utxoTmp();
    for (let k = 0; k < c.txid.length; k++) {
      u.inSlot.push(u.txTable.intern(c.txid[k]!));
      u.inVin.push(c.vin[k]!);
      const prev = c.prevTxid[k];
      const coinbase = c.isCoinbase?.[k] === true || prev === null || prev === undefined;
      u.inPrev.push(coinbase ? -1 : u.txTable.intern(prev!));
      u.inPrevVout.push(c.prevVout[k] ?? 0);
      const a = c.address[k];
      u.inAddr.push(a === null || a === undefined ? -1 : this.intern(a));
      u.inValue.push(c.value[k]!);
    }
    return this;
  }

  addUtxoOutputs(c: UtxoOutputColumns): this {
    const u = this.utxoTmp();
    for (let k = 0; k < c.txid.length; k++) {
      u.outSlot.push(u.txTable.intern(c.txid[k]!));
      u.outVout.push(c.vout[k]!);
      const a = c.address[k];
      u.outAddr.push(a === null || a === undefined ? -1 : this.intern(a));
      u.outValue.push(c.value[k]!);
      const by = c.spentByTxid[k];
      const known = c.spentKnown ? c.spentKnown[k] !== false : by !== undefined;
      u.outSpent.push(!known ? -2 : by === null || by === undefined ? -1 : u.txTable.intern(by));
      u.outSpentVin.push(c.spentByVin[k] ?? 0);
    }
    return this;
  }

  build(): CsrGraph {
    if (this.built) throw new Error("CsrBuilder: already built");
    this.built = true;
    const n = this.n;
    // 1. chain order (only when the input was not already sorted)
    if (!this.sorted) {
      const perm = new Int32Array(n);
      for (let i = 0; i < n; i++) perm[i] = i;
      perm.sort((a, b) => this.cmp(a, b) || a - b);
      const p32 = (a: Int32Array) => {
        const r = new Int32Array(n);
        for (let i = 0; i < n; i++) r[i] = a[perm[i]!]!;
        return r;
      };
      this.from = p32(this.from);
      this.to = p32(this.to);
      this.asset = p32(this.asset);
      this.txSlot = p32(this.txSlot);
      const f = new Uint8Array(n);
      for (let i = 0; i < n; i++) f[i] = this.flags[perm[i]!]!;
      this.flags = f;
      this.values.permute(perm);
    }
    // free the sort keys before the adjacency pass
    this.block = new Int32Array(0);
    this.txIndex = new Int32Array(0);
    this.seq = new Int32Array(0);
    // pre-sized arrays are kept as they are; oversized ones are cut (one copy)
    const fit32 = (a: Int32Array) =>
      a.length === n ? a : a.length - n < n >> 4 ? a.subarray(0, n) : a.slice(0, n);
    this.from = fit32(this.from);
    this.to = fit32(this.to);
    this.asset = fit32(this.asset);
    this.txSlot = fit32(this.txSlot);
    if (this.flags.length !== n) this.flags = this.flags.slice(0, n);
    if (this.values.lo.length !== n) this.values.lo = this.values.lo.slice(0, n);
    this.txids.trim();
    // 2. adjacency: counting sort by address keeps each list in chain order
    const nAddr = this.addrs.length;
    const { from, to } = this;
    const offsets = new Int32Array(nAddr + 1);
    for (let t = 0; t < n; t++) {
      offsets[from[t]! + 1]!++;
      const r = to[t]!;
      if (r >= 0) offsets[r + 1]!++;
    }
    for (let a = 0; a < nAddr; a++) offsets[a + 1]! += offsets[a]!;
    const fill = offsets.slice(0, nAddr);
    const entries = new Int32Array(offsets[nAddr]!);
    for (let t = 0; t < n; t++) {
      entries[fill[from[t]!]!++] = t * 2;
      const r = to[t]!;
      if (r >= 0) entries[fill[r]!++] = t * 2 + 1;
    }
    const account: AccountPart = {
      n,
      from,
      to,
      asset: this.asset,
      txSlot: this.txSlot,
      flags: this.flags,
      values: this.values,
      txids: this.txids,
      offsets,
      entries,
    };
    const utxo = this.utxo ? buildUtxo(this.utxo, nAddr) : null;
    this.utxo = null;
    const complete = new Uint8Array(nAddr);
    if (this.completeOpt === "all") complete.fill(1);
    else
      for (const a of this.completeOpt ?? []) {
        this.addrIds ??= indexOf(this.addrs);
        const id = this.addrIds.get(a);
        if (id !== undefined) complete[id] = 1;
      }
    return new CsrGraph(this.addrIds, this.addrs, complete, this.assetIds, this.assets, account, utxo);
  }
}

interface AccountPart {
  n: number;
  from: Int32Array;
  to: Int32Array;
  asset: Int32Array;
  txSlot: Int32Array;
  flags: Uint8Array;
  values: ValueColumn;
  txids: TxidStore;
  offsets: Int32Array;
  entries: Int32Array;
}

interface UtxoPart {
  table: TxidTable;
  txOfSlot: Int32Array;
  slotOfTx: Int32Array;
  order: Int32Array;
  fee: ValueColumn;
  inStart: Int32Array;
  outStart: Int32Array;
  inTx: Int32Array;
  inAddr: Int32Array;
  inValue: ValueColumn;
  inPrevSlot: Int32Array;
  inPrevVout: Int32Array;
  outTx: Int32Array;
  outAddr: Int32Array;
  outValue: ValueColumn;
  outSpender: Int32Array;
  outSpentSlot: Int32Array;
  recvOff: Int32Array;
  recv: Int32Array;
  spentOff: Int32Array;
  spent: Int32Array;
}

function indexOf(list: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < list.length; i++) if (!m.has(list[i]!)) m.set(list[i]!, i);
  return m;
}

function isSorted(list: readonly string[]): boolean {
  for (let i = 1; i < list.length; i++) if (!(list[i - 1]! < list[i]!)) return false;
  return true;
}

function addrCsr(nAddr: number, owner: ArrayLike<number>): { off: Int32Array; list: Int32Array } {
  const off = new Int32Array(nAddr + 1);
  for (let i = 0; i < owner.length; i++) if (owner[i]! >= 0) off[owner[i]! + 1]!++;
  for (let a = 0; a < nAddr; a++) off[a + 1]! += off[a]!;
  const fill = off.slice(0, nAddr);
  const list = new Int32Array(off[nAddr]!);
  for (let i = 0; i < owner.length; i++) if (owner[i]! >= 0) list[fill[owner[i]!]!++] = i;
  return { off, list };
}

function buildUtxo(u: UtxoTmp, nAddr: number): UtxoPart {
  const slots = u.txTable.store.count;
  const nTx = u.txSlot.length;
  const txOfSlot = new Int32Array(slots).fill(-1);
  const slotOfTx = new Int32Array(nTx);
  const order = new Int32Array(nTx);
  const fee = new ValueColumn(nTx);
  for (let tx = 0; tx < nTx; tx++) {
    const s = u.txSlot[tx]!;
    if (txOfSlot[s]! >= 0) throw new Error(`CsrBuilder: transaction ${u.txTable.store.get(s)} added twice`);
    txOfSlot[s] = tx;
    slotOfTx[tx] = s;
    order[tx] = u.txOrder[tx]!;
    fee.set(tx, u.txFee[tx]!);
  }
  const txOf = (slot: number, what: string): number => {
    const tx = txOfSlot[slot]!;
    if (tx < 0)
      throw new Error(`CsrBuilder: ${what} of transaction ${u.txTable.store.get(slot)} without its tx row`);
    return tx;
  };
  // per-tx input/output counts = max index + 1 (dense vin/vout)
  const inStart = new Int32Array(nTx + 1);
  const outStart = new Int32Array(nTx + 1);
  for (let k = 0; k < u.inSlot.length; k++) {
    const tx = txOf(u.inSlot[k]!, "input");
    inStart[tx + 1] = Math.max(inStart[tx + 1]!, u.inVin[k]! + 1);
  }
  for (let k = 0; k < u.outSlot.length; k++) {
    const tx = txOf(u.outSlot[k]!, "output");
    outStart[tx + 1] = Math.max(outStart[tx + 1]!, u.outVout[k]! + 1);
  }
  for (let tx = 0; tx < nTx; tx++) {
    inStart[tx + 1]! += inStart[tx]!;
    outStart[tx + 1]! += outStart[tx]!;
  }
  const nIn = inStart[nTx]!;
  const nOut = outStart[nTx]!;
  const inTx = new Int32Array(nIn);
  const inAddr = new Int32Array(nIn).fill(-1);
  const inValue = new ValueColumn(nIn);
  const inPrevSlot = new Int32Array(nIn).fill(-1);
  const inPrevVout = new Int32Array(nIn);
  for (let tx = 0; tx < nTx; tx++) inTx.fill(tx, inStart[tx]!, inStart[tx + 1]!);
  for (let k = 0; k < u.inSlot.length; k++) {
    const i = inStart[txOfSlot[u.inSlot[k]!]!]! + u.inVin[k]!;
    inAddr[i] = u.inAddr[k]!;
    inValue.set(i, u.inValue[k]!);
    inPrevSlot[i] = u.inPrev[k]!;
    inPrevVout[i] = u.inPrevVout[k]!;
  }
  const outTx = new Int32Array(nOut);
  const outAddr = new Int32Array(nOut).fill(-1);
  const outValue = new ValueColumn(nOut);
  const outSpender = new Int32Array(nOut).fill(SPENDER_UNKNOWN);
  const outSpentSlot = new Int32Array(nOut).fill(-1);
  for (let tx = 0; tx < nTx; tx++) outTx.fill(tx, outStart[tx]!, outStart[tx + 1]!);
  for (let k = 0; k < u.outSlot.length; k++) {
    const o = outStart[txOfSlot[u.outSlot[k]!]!]! + u.outVout[k]!;
    outAddr[o] = u.outAddr[k]!;
    outValue.set(o, u.outValue[k]!);
    const sp = u.outSpent[k]!;
    if (sp === -2) outSpender[o] = SPENDER_UNKNOWN;
    else if (sp === -1) outSpender[o] = UNSPENT;
    else {
      outSpentSlot[o] = sp;
      const by = txOfSlot[sp]!;
      const vin = u.outSpentVin[k]!;
      outSpender[o] =
        by >= 0 && inStart[by]! + vin < inStart[by + 1]! ? inStart[by]! + vin : SPENDER_NOT_LOADED;
    }
  }
  // a loaded input spending an output is the best evidence of who spent it
  for (let i = 0; i < nIn; i++) {
    const ps = inPrevSlot[i]!;
    if (ps < 0) continue;
    const ptx = txOfSlot[ps]!;
    if (ptx < 0) continue;
    const o = outStart[ptx]! + inPrevVout[i]!;
    if (o < outStart[ptx + 1]!) {
      outSpender[o] = i;
      outSpentSlot[o] = slotOfTx[inTx[i]!]!;
    }
  }
  const r = addrCsr(nAddr, outAddr);
  const s = addrCsr(nAddr, inAddr);
  return {
    table: u.txTable,
    txOfSlot,
    slotOfTx,
    order,
    fee,
    inStart,
    outStart,
    inTx,
    inAddr,
    inValue,
    inPrevSlot,
    inPrevVout,
    outTx,
    outAddr,
    outValue,
    outSpender,
    outSpentSlot,
    recvOff: r.off,
    recv: r.list,
    spentOff: s.off,
    spent: s.list,
  };
}

const EMPTY = new Int32Array(0);
// graph.ts re-exports this module: its values (KIND_ORDER, KINDS, ...) are only used inside functions

/** Read-only CSR graph; build it with {@link CsrBuilder} or {@link csrFromRows}. */
export class CsrGraph implements FlowGraph {
  private readonly u: UtxoPart | null;
  /** Addresses in sorted order: addressId is a binary search and needs no map. */
  private readonly sortedAddrs: boolean;
  constructor(
    private addrIds: Map<string, number> | null,
    private readonly addrs: string[],
    private readonly complete: Uint8Array,
    private readonly assetIds: Map<string, number>,
    private readonly assets: { name: string; symbol: string | null; decimals: number | null }[],
    private readonly a: AccountPart,
    utxo: UtxoPart | null,
  ) {
    this.u = utxo;
    this.sortedAddrs = addrIds === null && isSorted(addrs);
  }

  get addressCount(): number {
    return this.addrs.length;
  }
  addressId(address: string): number {
    if (this.sortedAddrs) {
      const a = this.addrs;
      let lo = 0;
      let hi = a.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const x = a[mid]!;
        if (x === address) return mid;
        if (x < address) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    }
    this.addrIds ??= indexOf(this.addrs);
    return this.addrIds.get(address) ?? -1;
  }
  address(id: number): string {
    return this.addrs[id]!;
  }
  historyComplete(addr: number): boolean {
    return this.complete[addr] === 1;
  }

  get txCount(): number {
    return this.u ? this.u.order.length : 0;
  }
  get inputCount(): number {
    return this.u ? this.u.inTx.length : 0;
  }
  get outputCount(): number {
    return this.u ? this.u.outTx.length : 0;
  }
  txId(txid: string): number {
    if (!this.u) return -1;
    const s = this.u.table.get(txid);
    return s < 0 ? -1 : this.u.txOfSlot[s]!;
  }
  txid(tx: number): string {
    return this.u!.table.store.get(this.u!.slotOfTx[tx]!);
  }
  txOrder(tx: number): number {
    return this.u!.order[tx]!;
  }
  txFee(tx: number): Amount {
    return this.u!.fee.get(tx);
  }
  txInputStart(tx: number): number {
    return this.u!.inStart[tx]!;
  }
  txInputEnd(tx: number): number {
    return this.u!.inStart[tx + 1]!;
  }
  txOutputStart(tx: number): number {
    return this.u!.outStart[tx]!;
  }
  txOutputEnd(tx: number): number {
    return this.u!.outStart[tx + 1]!;
  }
  inputTx(i: number): number {
    return this.u!.inTx[i]!;
  }
  inputAddress(i: number): number {
    return this.u!.inAddr[i]!;
  }
  inputValue(i: number): Amount {
    return this.u!.inValue.get(i);
  }
  inputPrevTx(i: number): number {
    const s = this.u!.inPrevSlot[i]!;
    if (s < 0) return PREV_COINBASE;
    const tx = this.u!.txOfSlot[s]!;
    return tx < 0 ? PREV_NOT_LOADED : tx;
  }
  inputPrevTxid(i: number): string | null {
    const s = this.u!.inPrevSlot[i]!;
    return s < 0 ? null : this.u!.table.store.get(s);
  }
  inputPrevVout(i: number): number {
    return this.u!.inPrevVout[i]!;
  }
  outputTx(o: number): number {
    return this.u!.outTx[o]!;
  }
  outputAddress(o: number): number {
    return this.u!.outAddr[o]!;
  }
  outputValue(o: number): Amount {
    return this.u!.outValue.get(o);
  }
  outputSpender(o: number): number {
    return this.u!.outSpender[o]!;
  }
  outputSpenderTxid(o: number): string | null {
    const s = this.u!.outSpentSlot[o]!;
    return s < 0 ? null : this.u!.table.store.get(s);
  }
  receivedOutputs(addr: number): ArrayLike<number> {
    const u = this.u;
    return u ? u.recv.subarray(u.recvOff[addr]!, u.recvOff[addr + 1]!) : EMPTY;
  }
  spentInputs(addr: number): ArrayLike<number> {
    const u = this.u;
    return u ? u.spent.subarray(u.spentOff[addr]!, u.spentOff[addr + 1]!) : EMPTY;
  }

  get transferCount(): number {
    return this.a.n;
  }
  get assetCount(): number {
    return this.assets.length;
  }
  assetId(asset: string): number {
    return this.assetIds.get(asset) ?? -1;
  }
  assetName(a: number): string {
    return this.assets[a]!.name;
  }
  assetSymbol(a: number): string | null {
    return this.assets[a]!.symbol;
  }
  assetDecimals(a: number): number | null {
    return this.assets[a]!.decimals;
  }
  transfersOf(addr: number): ArrayLike<number> {
    const off = this.a.offsets;
    if (addr + 1 >= off.length) return EMPTY;
    return this.a.entries.subarray(off[addr]!, off[addr + 1]!);
  }
  transferRank(t: number): number {
    return t;
  }
  transferFrom(t: number): number {
    return this.a.from[t]!;
  }
  transferTo(t: number): number {
    return this.a.to[t]!;
  }
  transferAsset(t: number): number {
    return this.a.asset[t]!;
  }
  transferValue(t: number): Amount {
    return this.a.values.get(t);
  }
  transferKind(t: number): TransferKind {
    return KINDS[this.a.flags[t]! & 3]!;
  }
  transferSuccess(t: number): boolean {
    return (this.a.flags[t]! & 4) !== 0;
  }
  transferTxid(t: number): string {
    return this.a.txids.get(this.a.txSlot[t]!);
  }
  transferTxKey(t: number): number {
    return this.a.txSlot[t]!;
  }

  missingTxids(): string[] {
    const u = this.u;
    if (!u) return [];
    const out: string[] = [];
    for (let s = 0; s < u.txOfSlot.length; s++) if (u.txOfSlot[s]! < 0) out.push(u.table.store.get(s));
    return out.sort();
  }

  /** Rough heap footprint of the typed arrays (bytes), for sizing. */
  typedBytes(): number {
    const a = this.a;
    let b =
      a.from.byteLength +
      a.to.byteLength +
      a.asset.byteLength +
      a.txSlot.byteLength +
      a.flags.byteLength +
      a.values.lo.byteLength +
      a.txids.bytes.byteLength +
      a.offsets.byteLength +
      a.entries.byteLength;
    const u = this.u;
    if (u)
      b +=
        u.inTx.byteLength * 4 + u.inValue.lo.byteLength + u.outTx.byteLength * 5 + u.outValue.lo.byteLength;
    return b;
  }
}

/** Transfer rows as the builder's columns. */
export function transferColumns(xs: readonly AccountTransfer[]) {
  return {
    txid: xs.map((t) => t.txid),
    kind: xs.map((t) => t.kind),
    seq: xs.map((t) => t.seq),
    blockNumber: xs.map((t) => t.blockNumber),
    txIndex: xs.map((t) => t.txIndex),
    from: xs.map((t) => t.from),
    to: xs.map((t) => t.to),
    asset: xs.map((t) => t.asset),
    value: xs.map((t) => t.value),
    success: xs.map((t) => t.success),
    symbol: xs.map((t) => t.symbol),
    decimals: xs.map((t) => t.decimals),
  };
}

/** Convenience for tests and small graphs: the same rows a MapGraph takes, as a CSR graph. */
export function csrFromRows(
  rows: {
    utxoTxs?: Iterable<UtxoTx>;
    transfers?: Iterable<AccountTransfer>;
    complete?: Iterable<string>;
  },
  opts: { complete?: "all" } = {},
): CsrGraph {
  const b = new CsrBuilder({ complete: opts.complete ?? rows.complete ?? [] });
  const transfers = [...(rows.transfers ?? [])];
  // dedupe by (txid, kind, seq), last row wins (as MapGraph does)
  const byKey = new Map<string, AccountTransfer>();
  for (const t of transfers) byKey.set(`${t.txid}|${t.kind}|${t.seq}`, t);
  const xs = [...byKey.values()].sort(
    (a, c) =>
      a.blockNumber - c.blockNumber ||
      a.txIndex - c.txIndex ||
      KIND_ORDER[a.kind] - KIND_ORDER[c.kind] ||
      a.seq - c.seq ||
      (a.txid < c.txid ? -1 : a.txid > c.txid ? 1 : 0),
  );
  b.addTransfers(transferColumns(xs));
  const txs = new Map<string, UtxoTx>();
  for (const tx of rows.utxoTxs ?? []) {
    const prev = txs.get(tx.txid);
    if (!prev) {
      txs.set(tx.txid, { ...tx, outputs: tx.outputs.map((o) => ({ ...o })) });
      continue;
    }
    prev.block = tx.block;
    for (const o of tx.outputs) {
      const p = prev.outputs.find((x) => x.vout === o.vout);
      if (p && o.spentBy !== undefined) p.spentBy = o.spentBy;
    }
  }
  if (txs.size > 0) {
    const list = [...txs.values()];
    b.addUtxoTxs({
      txid: list.map((t) => t.txid),
      height: list.map((t) => t.block?.height ?? null),
      fee: list.map((t) => t.fee),
    });
    const ins = list.flatMap((t) => t.inputs.map((i) => ({ txid: t.txid, i })));
    b.addUtxoInputs({
      txid: ins.map((x) => x.txid),
      vin: ins.map((x) => x.i.vin),
      prevTxid: ins.map((x) => (x.i.isCoinbase ? null : x.i.prevTxid)),
      prevVout: ins.map((x) => x.i.prevVout),
      address: ins.map((x) => x.i.address),
      value: ins.map((x) => x.i.value),
      isCoinbase: ins.map((x) => x.i.isCoinbase),
    });
    const outs = list.flatMap((t) => t.outputs.map((o) => ({ txid: t.txid, o })));
    b.addUtxoOutputs({
      txid: outs.map((x) => x.txid),
      vout: outs.map((x) => x.o.vout),
      address: outs.map((x) => x.o.address),
      value: outs.map((x) => x.o.value),
      spentByTxid: outs.map((x) => (x.o.spentBy === undefined ? undefined : (x.o.spentBy?.txid ?? null))),
      spentByVin: outs.map((x) => x.o.spentBy?.vin ?? null),
      spentKnown: outs.map((x) => x.o.spentBy !== undefined),
    });
  }
  return b.build();
}
