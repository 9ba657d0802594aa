/**
 * The in-memory flow graph the trace engine walks.
 *
 * One integer-indexed interface, two implementations:
 * - {@link MapGraph}: built incrementally from store rows (`UtxoTx`, `AccountTransfer`); rows can be
 *   added later and adding the same row twice changes nothing. For small, on-demand traces.
 * - `CsrGraph` (`trace-csr.ts`): typed arrays built in O(n) from columnar chunks (as DuckDB streams
 *   them), for large graphs (10M transfers, 2M addresses).
 *
 * Ids: addresses, transactions, inputs, outputs, transfers and assets are dense integers. Inputs and
 * outputs are global indices, contiguous per transaction in vin/vout order
 * (`txInputStart(tx) + vin`). A transfer appears in `transfersOf(address)` as an entry
 * `transfer * 2 + side` (side 0: the address sends, side 1: it receives), in chain order.
 *
 * The graph also says what it does not have: `outputSpender` distinguishes "unspent" from "spent by
 * a transaction that is not loaded" and from "never asked", `historyComplete` tells whether an
 * address's whole history is loaded. The engine turns these into `stats.missing` so the caller can
 * fetch and run again.
 */
import { type AccountTransfer, type Amount, KIND_ORDER, type TransferKind, type UtxoTx } from "../domain.ts";

/** `outputSpender`: asked and unspent. */
export const UNSPENT = -1;
/** `outputSpender`: nobody asked yet whether this output is spent (fetch the address's history). */
export const SPENDER_UNKNOWN = -2;
/** `outputSpender`: spent by a transaction that is not loaded (`outputSpenderTxid` names it). */
export const SPENDER_NOT_LOADED = -3;
/** `inputPrevTx`: a coinbase input (no previous output). */
export const PREV_COINBASE = -1;
/** `inputPrevTx`: the previous transaction is not loaded (`inputPrevTxid` names it). */
export const PREV_NOT_LOADED = -3;
/** An output or input without an address (OP_RETURN, non-standard script, coinbase). */
export const NO_ADDRESS = -1;
/** `txOrder` of an unconfirmed transaction: after every block. */
export const UNCONFIRMED_ORDER = 0x7fffffff;

export { compareTransfers, KIND_ORDER } from "../domain.ts";
export const KINDS: readonly TransferKind[] = ["fee", "native", "internal", "token"];

export interface FlowGraph {
  // addresses
  readonly addressCount: number;
  /** -1 when the graph has never seen the address. */
  addressId(address: string): number;
  address(id: number): string;
  /** The address's whole history is loaded (its balance and every transfer/output are known). */
  historyComplete(addr: number): boolean;

  // UTXO view (loaded transactions only)
  readonly txCount: number;
  readonly inputCount: number;
  readonly outputCount: number;
  /** -1 when not loaded. */
  txId(txid: string): number;
  txid(tx: number): string;
  /** Processing order: block height, UNCONFIRMED_ORDER when unconfirmed. */
  txOrder(tx: number): number;
  txFee(tx: number): Amount;
  txInputStart(tx: number): number;
  txInputEnd(tx: number): number;
  txOutputStart(tx: number): number;
  txOutputEnd(tx: number): number;
  inputTx(i: number): number;
  inputAddress(i: number): number;
  inputValue(i: number): Amount;
  /** Loaded tx id, PREV_COINBASE or PREV_NOT_LOADED. */
  inputPrevTx(i: number): number;
  inputPrevTxid(i: number): string | null;
  inputPrevVout(i: number): number;
  outputTx(o: number): number;
  outputAddress(o: number): number;
  outputValue(o: number): Amount;
  /** Global index of the spending input, or UNSPENT, SPENDER_UNKNOWN, SPENDER_NOT_LOADED. */
  outputSpender(o: number): number;
  outputSpenderTxid(o: number): string | null;
  /** Outputs paid to the address (global output indices). */
  receivedOutputs(addr: number): ArrayLike<number>;
  /** Inputs that spend the address's outputs (global input indices). */
  spentInputs(addr: number): ArrayLike<number>;

  // account view
  readonly transferCount: number;
  readonly assetCount: number;
  assetId(asset: string): number;
  assetName(a: number): string;
  assetSymbol(a: number): string | null;
  assetDecimals(a: number): number | null;
  /** Entries `transfer * 2 + side`, ascending chain order; a self-transfer appears as side 0 then side 1. */
  transfersOf(addr: number): ArrayLike<number>;
  /** Dense position 0..transferCount-1 in chain order (block, tx index, kind order, seq, txid). */
  transferRank(t: number): number;
  transferFrom(t: number): number;
  /** NO_ADDRESS when the transfer has no recipient (contract creation, burnt fee). */
  transferTo(t: number): number;
  transferAsset(t: number): number;
  transferValue(t: number): Amount;
  transferKind(t: number): TransferKind;
  transferSuccess(t: number): boolean;
  transferTxid(t: number): string;
  /** A dense integer per transaction (for counting distinct transactions). */
  transferTxKey(t: number): number;

  /** Transaction ids referenced (spentBy, prevTxid) but not loaded. */
  missingTxids(): string[];
}

/** The graph must not change while a trace runs; adding rows between runs is fine. */
export interface GraphRows {
  utxoTxs?: Iterable<UtxoTx>;
  transfers?: Iterable<AccountTransfer>;
  /** Addresses whose full history these rows contain. */
  complete?: Iterable<string>;
}

interface TransferRow {
  txid: string;
  kind: TransferKind;
  seq: number;
  block: number;
  txIndex: number;
  from: number;
  to: number;
  asset: number;
  value: Amount;
  success: boolean;
  txKey: number;
}

/** Incremental Map-backed graph. `add*` methods are idempotent; later rows may fill in spends. */
export class MapGraph implements FlowGraph {
  private readonly addrIds = new Map<string, number>();
  private readonly addrs: string[] = [];
  private readonly complete = new Set<number>();
  private readonly received: number[][] = [];
  private readonly spent: number[][] = [];
  private readonly xfersOf: number[][] = [];

  private readonly txIds = new Map<string, number>();
  private readonly txs: {
    txid: string;
    order: number;
    fee: Amount;
    in0: number;
    in1: number;
    out0: number;
    out1: number;
  }[] = [];
  private readonly inTx: number[] = [];
  private readonly inAddr: number[] = [];
  private readonly inValue: Amount[] = [];
  private readonly inPrevTxid: (string | null)[] = [];
  private readonly inPrevVout: number[] = [];
  private readonly outTx: number[] = [];
  private readonly outAddr: number[] = [];
  private readonly outValue: Amount[] = [];
  /** undefined: not asked; null: unspent; else spender txid and vin. */
  private readonly outSpentBy: ({ txid: string; vin: number } | null | undefined)[] = [];
  /** "txid:vout" → global input index of a loaded input spending it. */
  private readonly spenderOf = new Map<string, number>();

  private readonly assetIds = new Map<string, number>();
  private readonly assets: { name: string; symbol: string | null; decimals: number | null }[] = [];
  private readonly xferIds = new Map<string, number>();
  private readonly xfers: TransferRow[] = [];
  private readonly txKeys = new Map<string, number>();
  private rank: Int32Array = new Int32Array(0);
  private ranked = true;

  constructor(rows?: GraphRows) {
    if (rows) this.addRows(rows);
  }

  addRows(rows: GraphRows): this {
    for (const tx of rows.utxoTxs ?? []) this.addUtxoTx(tx);
    for (const t of rows.transfers ?? []) this.addTransfer(t);
    this.markComplete(rows.complete ?? []);
    return this;
  }

  markComplete(addresses: Iterable<string>): this {
    for (const a of addresses) this.complete.add(this.intern(a));
    return this;
  }

  addUtxoTx(tx: UtxoTx): this {
    const known = this.txIds.get(tx.txid);
    const order = tx.block ? tx.block.height : UNCONFIRMED_ORDER;
    if (known !== undefined) {
      const row = this.txs[known]!;
      row.order = order;
      // later rows may know more about spends; never forget what is known
      for (const out of tx.outputs) {
        const o = row.out0 + out.vout;
        if (o < row.out1 && out.spentBy !== undefined) this.outSpentBy[o] = out.spentBy;
      }
      return this;
    }
    const id = this.txs.length;
    this.txIds.set(tx.txid, id);
    const nIn = tx.inputs.reduce((m, i) => Math.max(m, i.vin + 1), 0);
    const nOut = tx.outputs.reduce((m, o) => Math.max(m, o.vout + 1), 0);
    const in0 = this.inTx.length;
    const out0 = this.outTx.length;
    for (let k = 0; k < nIn; k++) {
      this.inTx.push(id);
      this.inAddr.push(NO_ADDRESS);
      this.inValue.push(0n);
      this.inPrevTxid.push(null);
      this.inPrevVout.push(-1);
    }
    for (let k = 0; k < nOut; k++) {
      this.outTx.push(id);
      this.outAddr.push(NO_ADDRESS);
      this.outValue.push(0n);
      this.outSpentBy.push(undefined);
    }
    this.txs.push({ txid: tx.txid, order, fee: tx.fee, in0, in1: in0 + nIn, out0, out1: out0 + nOut });
    for (const inp of tx.inputs) {
      const i = in0 + inp.vin;
      const a = inp.address === null ? NO_ADDRESS : this.intern(inp.address);
      this.inAddr[i] = a;
      this.inValue[i] = inp.value;
      if (!inp.isCoinbase && inp.prevTxid !== null) {
        this.inPrevTxid[i] = inp.prevTxid;
        this.inPrevVout[i] = inp.prevVout ?? 0;
        this.spenderOf.set(`${inp.prevTxid}:${inp.prevVout ?? 0}`, i);
      }
      if (a !== NO_ADDRESS) this.spent[a]!.push(i);
    }
    for (const out of tx.outputs) {
      const o = out0 + out.vout;
      const a = out.address === null ? NO_ADDRESS : this.intern(out.address);
      this.outAddr[o] = a;
      this.outValue[o] = out.value;
      this.outSpentBy[o] = out.spentBy;
      if (a !== NO_ADDRESS) this.received[a]!.push(o);
    }
    return this;
  }

  addTransfer(t: AccountTransfer): this {
    const key = `${t.txid}|${t.kind}|${t.seq}`;
    let assetId = this.assetIds.get(t.asset);
    if (assetId === undefined) {
      assetId = this.assets.length;
      this.assetIds.set(t.asset, assetId);
      this.assets.push({ name: t.asset, symbol: t.symbol, decimals: t.decimals });
    } else {
      const meta = this.assets[assetId]!;
      meta.symbol ??= t.symbol;
      meta.decimals ??= t.decimals;
    }
    const from = this.intern(t.from);
    const to = t.to === null ? NO_ADDRESS : this.intern(t.to);
    let txKey = this.txKeys.get(t.txid);
    if (txKey === undefined) {
      txKey = this.txKeys.size;
      this.txKeys.set(t.txid, txKey);
    }
    const row: TransferRow = {
      txid: t.txid,
      kind: t.kind,
      seq: t.seq,
      block: t.blockNumber,
      txIndex: t.txIndex,
      from,
      to,
      asset: assetId,
      value: t.value,
      success: t.success,
      txKey,
    };
    const known = this.xferIds.get(key);
    if (known !== undefined) {
      const old = this.xfers[known]!;
      if (old.from !== from || old.to !== to) throw new Error(`transfer ${key} changed its parties`);
      this.xfers[known] = row;
    } else {
      const id = this.xfers.length;
      this.xferIds.set(key, id);
      this.xfers.push(row);
      this.xfersOf[from]!.push(id * 2);
      if (to !== NO_ADDRESS) this.xfersOf[to]!.push(id * 2 + 1);
    }
    this.ranked = false;
    return this;
  }

  private intern(address: string): number {
    let id = this.addrIds.get(address);
    if (id === undefined) {
      id = this.addrs.length;
      this.addrIds.set(address, id);
      this.addrs.push(address);
      this.received.push([]);
      this.spent.push([]);
      this.xfersOf.push([]);
    }
    return id;
  }

  private ensureRanked(): void {
    if (this.ranked) return;
    const x = this.xfers;
    const order = x.map((_, i) => i);
    order.sort((a, b) => compareTransferRows(x[a]!, x[b]!));
    this.rank = new Int32Array(x.length);
    for (let r = 0; r < order.length; r++) this.rank[order[r]!] = r;
    const rank = this.rank;
    for (const list of this.xfersOf)
      list.sort((a, b) => rank[a >> 1]! * 2 + (a & 1) - (rank[b >> 1]! * 2 + (b & 1)));
    this.ranked = true;
  }

  get addressCount(): number {
    return this.addrs.length;
  }
  addressId(address: string): number {
    return this.addrIds.get(address) ?? -1;
  }
  address(id: number): string {
    return this.addrs[id]!;
  }
  historyComplete(addr: number): boolean {
    return this.complete.has(addr);
  }

  get txCount(): number {
    return this.txs.length;
  }
  get inputCount(): number {
    return this.inTx.length;
  }
  get outputCount(): number {
    return this.outTx.length;
  }
  txId(txid: string): number {
    return this.txIds.get(txid) ?? -1;
  }
  txid(tx: number): string {
    return this.txs[tx]!.txid;
  }
  txOrder(tx: number): number {
    return this.txs[tx]!.order;
  }
  txFee(tx: number): Amount {
    return this.txs[tx]!.fee;
  }
  txInputStart(tx: number): number {
    return this.txs[tx]!.in0;
  }
  txInputEnd(tx: number): number {
    return this.txs[tx]!.in1;
  }
  txOutputStart(tx: number): number {
    return this.txs[tx]!.out0;
  }
  txOutputEnd(tx: number): number {
    return this.txs[tx]!.out1;
  }
  inputTx(i: number): number {
    return this.inTx[i]!;
  }
  inputAddress(i: number): number {
    return this.inAddr[i]!;
  }
  inputValue(i: number): Amount {
    return this.inValue[i]!;
  }
  inputPrevTx(i: number): number {
    const p = this.inPrevTxid[i];
    if (p === null || p === undefined) return PREV_COINBASE;
    return this.txIds.get(p) ?? PREV_NOT_LOADED;
  }
  inputPrevTxid(i: number): string | null {
    return this.inPrevTxid[i] ?? null;
  }
  inputPrevVout(i: number): number {
    return this.inPrevVout[i]!;
  }
  outputTx(o: number): number {
    return this.outTx[o]!;
  }
  outputAddress(o: number): number {
    return this.outAddr[o]!;
  }
  outputValue(o: number): Amount {
    return this.outValue[o]!;
  }
  outputSpender(o: number): number {
    const tx = this.txs[this.outTx[o]!]!;
    const loaded = this.spenderOf.get(`${tx.txid}:${o - tx.out0}`);
    if (loaded !== undefined) return loaded;
    const s = this.outSpentBy[o];
    if (s === undefined) return SPENDER_UNKNOWN;
    if (s === null) return UNSPENT;
    const by = this.txIds.get(s.txid);
    if (by === undefined) return SPENDER_NOT_LOADED;
    const row = this.txs[by]!;
    return row.in0 + s.vin < row.in1 ? row.in0 + s.vin : SPENDER_NOT_LOADED;
  }
  outputSpenderTxid(o: number): string | null {
    const s = this.outputSpender(o);
    if (s >= 0) return this.txs[this.inTx[s]!]!.txid;
    return this.outSpentBy[o]?.txid ?? null;
  }
  receivedOutputs(addr: number): ArrayLike<number> {
    return this.received[addr] ?? [];
  }
  spentInputs(addr: number): ArrayLike<number> {
    return this.spent[addr] ?? [];
  }

  get transferCount(): number {
    return this.xfers.length;
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
    this.ensureRanked();
    return this.xfersOf[addr] ?? [];
  }
  transferRank(t: number): number {
    this.ensureRanked();
    return this.rank[t]!;
  }
  transferFrom(t: number): number {
    return this.xfers[t]!.from;
  }
  transferTo(t: number): number {
    return this.xfers[t]!.to;
  }
  transferAsset(t: number): number {
    return this.xfers[t]!.asset;
  }
  transferValue(t: number): Amount {
    return this.xfers[t]!.value;
  }
  transferKind(t: number): TransferKind {
    return this.xfers[t]!.kind;
  }
  transferSuccess(t: number): boolean {
    return this.xfers[t]!.success;
  }
  transferTxid(t: number): string {
    return this.xfers[t]!.txid;
  }
  transferTxKey(t: number): number {
    return this.xfers[t]!.txKey;
  }

  missingTxids(): string[] {
    const out = new Set<string>();
    for (const p of this.inPrevTxid) if (p !== null && !this.txIds.has(p)) out.add(p);
    for (const s of this.outSpentBy) if (s && !this.txIds.has(s.txid)) out.add(s.txid);
    return [...out].sort();
  }
}

function compareTransferRows(a: TransferRow, b: TransferRow): number {
  return (
    a.block - b.block ||
    a.txIndex - b.txIndex ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    a.seq - b.seq ||
    (a.txid < b.txid ? -1 : a.txid > b.txid ? 1 : 0)
  );
}

export function createMapGraph(rows?: GraphRows): MapGraph {
  return new MapGraph(rows);
}

export {
  type AccountColumns,
  CsrBuilder,
  type CsrBuilderOptions,
  CsrGraph,
  csrFromRows,
  type UtxoInputColumns,
  type UtxoOutputColumns,
  type UtxoTxColumns,
} from "./trace-csr.ts";
