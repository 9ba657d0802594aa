/**
 * Change heuristics over integer ids and typed arrays: what a clustering run streams from the store.
 * Per address: the first tx paying it and a summary of the txs spending from it (read once per run for
 * the addresses its transactions touch); per transaction: its fingerprint (computed when it was
 * stored), its input addresses and its outputs. The rules themselves are core/change.ts's.
 */
import {
  type AddressFacts,
  type ChangeGuess,
  type ChangeOut,
  type ChangeTx,
  changeGuesses,
  changeToMerge,
  type LocktimeStyle,
  REASON_ADDRESS,
  type WalletStyle,
} from "./change.ts";

const LOCKTIME_STYLES: readonly LocktimeStyle[] = ["zero", "height", "time"];
/** Summary codes: no known value, or several different ones (else the one value). */
const NONE = 255;
const SEVERAL = 254;

/** Per-address facts over address ids 1..maxAddr, in typed arrays (pages are touched only for ids in use). */
export class AddressFactTable {
  /** The first stored tx paying the address (0: none). */
  readonly firstTx: Int32Array;
  /** Stored confirmed txs spending from the address. */
  readonly spends: Int32Array;
  private readonly versions: Uint8Array;
  private readonly version: Int32Array;
  private readonly locktime: Uint8Array;
  private readonly rbf: Uint8Array;

  constructor(maxAddr: number) {
    this.firstTx = new Int32Array(maxAddr + 1);
    this.spends = new Int32Array(maxAddr + 1);
    this.versions = new Uint8Array(maxAddr + 1);
    this.version = new Int32Array(maxAddr + 1);
    this.locktime = new Uint8Array(maxAddr + 1);
    this.rbf = new Uint8Array(maxAddr + 1);
  }

  /** Rows (address id, first tx id). */
  addFirstSeen(addr: Int32Array, tx: Int32Array, rows: number): void {
    for (let i = 0; i < rows; i++) this.firstTx[addr[i]!] = tx[i]!;
  }

  /** The first block paying each address, and whether several txs of it do (then txids decide). */
  private firstHeight: Int32Array | null = null;
  private tied: Uint8Array | null = null;

  /**
   * Rows (address id, tx id, block height) of stored confirmed payments, in any order: firstTx becomes
   * the tx paying the address at its lowest height, except where several do (see tiedAddresses).
   */
  addPaid(addr: Int32Array, tx: Int32Array, height: Int32Array, rows: number): void {
    this.firstHeight ??= new Int32Array(this.firstTx.length);
    this.tied ??= new Uint8Array(this.firstTx.length);
    const first = this.firstTx;
    const h = this.firstHeight;
    const tied = this.tied;
    for (let i = 0; i < rows; i++) {
      const a = addr[i]!;
      const t = tx[i]!;
      if (first[a] === 0 || height[i]! < h[a]!) {
        first[a] = t;
        h[a] = height[i]!;
        tied[a] = 0;
      } else if (height[i] === h[a] && t !== first[a]) tied[a] = 1;
    }
  }

  /** Addresses paid by several txs of their first block: their firstTx is to be set by txid order. */
  tiedAddresses(): number[] {
    const out: number[] = [];
    const tied = this.tied;
    if (tied) for (let a = 0; a < tied.length; a++) if (tied[a] === 1) out.push(a);
    return out;
  }

  /** Rows of change.spend_summary: address, n, styles seen (bits), version min, max. */
  addSpends(cols: readonly (Int32Array | BigInt64Array)[], rows: number): void {
    const [addr, n, seen, vmin, vmax] = cols as Int32Array[];
    for (let i = 0; i < rows; i++) {
      const a = addr![i]!;
      const bits = seen![i]!;
      this.spends[a] = n![i]!;
      this.versions[a] = (bits & 32) === 0 ? NONE : vmin![i] === vmax![i] ? 1 : SEVERAL;
      this.version[a] = vmin![i]!;
      this.locktime[a] = oneOf(bits & 7);
      this.rbf[a] = oneOf((bits >> 3) & 3);
    }
  }

  /** Every spend from the address looks built by a wallet of this style (unknown fields never contradict). */
  spentLike(a: number, s: WalletStyle): boolean {
    const v = this.versions[a]!;
    if (v === SEVERAL || (v !== NONE && this.version[a] !== s.version)) return false;
    const l = this.locktime[a]!;
    if (l === SEVERAL || (l !== NONE && LOCKTIME_STYLES[l] !== s.locktime)) return false;
    const r = this.rbf[a]!;
    return r === NONE || (r !== SEVERAL && (r === 1) === s.rbf);
  }
}

/** The codes seen as bits (bit k: code k) as one code: none, the one seen, or several. */
function oneOf(bits: number): number {
  if (bits === 0) return NONE;
  return (bits & (bits - 1)) === 0 ? 31 - Math.clz32(bits) : SEVERAL;
}

/** AddressFacts of one transaction at a time (whose own spends the table counts: they are left out here). */
class TxFacts implements AddressFacts<number> {
  tx = 0;
  inputs: readonly number[] = [];
  /** Set when a reason needs the spenders of several input addresses: counted later by the store. */
  pending: PendingSpenders | null = null;

  constructor(private readonly t: AddressFactTable) {}

  firstPaidHere(a: number): boolean | undefined {
    const f = this.t.firstTx[a]!;
    return f === 0 ? undefined : f === this.tx;
  }

  spendCount(a: number): number {
    return this.t.spends[a]! - (this.inputs.includes(a) ? 1 : 0);
  }

  spentLike(a: number, style: WalletStyle): boolean {
    return this.t.spentLike(a, style);
  }

  spenderCount(addresses: readonly number[]): number | undefined {
    if (addresses.length === 1) return this.spendCount(addresses[0]!);
    let big = addresses[0]!;
    for (const a of addresses) if (this.t.spends[a]! > this.t.spends[big]!) big = a;
    this.pending = { count: this.spendCount(big), big };
    return undefined;
  }
}

/** The work transactions of one tx-id range as typed columns (see queries/change/work_*.sql). */
export interface ChangeRange {
  /** tx id, input count, style known, version, locktime style, rbf, in_type (1-based in types), smallest input. */
  txs: readonly (Int32Array | BigInt64Array)[];
  /** tx id, vin, address id, address key. */
  inputs: readonly (Int32Array | BigInt64Array)[];
  /** tx id, vout, address id, address key, value, script type (1-based in types, 0: none or another). */
  outputs: readonly (Int32Array | BigInt64Array)[];
  types: readonly string[];
}

/** Set on a fee-pattern guess whose reason holds REASON_SPENDERS: the store counts the rest. */
export interface PendingSpenders {
  count: number;
  big: number;
}

export interface IdMerge {
  tx: number;
  a: number;
  aKey: bigint;
  b: number;
  bKey: bigint;
  heuristic: string;
  confidence: number;
}

/**
 * Guesses for every tx of the range in tx-id order, reasons naming the output by REASON_ADDRESS, and
 * the merge each tx asks for (its first input address with the guessed output), in the same order.
 * Pauses (yields) every `slice` tx ids, so a caller can let other work run in between.
 */
export function* guessRange(
  r: ChangeRange,
  table: AddressFactTable,
  onGuess: (txId: number, g: ChangeGuess<number>, spenders: PendingSpenders | null) => void,
  onMerge: (m: IdMerge) => void,
  slice = Number.POSITIVE_INFINITY,
): Generator<void, void, void> {
  const [txId, inCount, known, version, locktime, rbf, inType] = r.txs as Int32Array[];
  const minIn = r.txs[7] as BigInt64Array;
  const n = txId!.length;
  let lo = 0;
  let hi = -1;
  for (let i = 0; i < n; i++) {
    const t = txId![i]!;
    if (i === 0 || t < lo) lo = t;
    if (i === 0 || t > hi) hi = t;
  }
  // slot of a tx id: its row + 1 (0: not a tx of the range)
  const slot = new Int32Array(hi - lo + 1);
  for (let i = 0; i < n; i++) slot[txId![i]! - lo] = i + 1;
  const at = (t: number) => (t < lo || t > hi ? 0 : slot[t - lo]!);
  const ins = byTx(r.inputs, at, n);
  const outs = byTx(r.outputs, at, n);
  const [, vin, inAddr] = r.inputs as Int32Array[];
  const inKey = r.inputs[3] as BigInt64Array;
  const [, vout, outAddr] = r.outputs as Int32Array[];
  const outKey = r.outputs[3] as BigInt64Array;
  const value = r.outputs[4] as BigInt64Array;
  const outType = r.outputs[5] as Int32Array;
  const facts = new TxFacts(table);
  const name = () => REASON_ADDRESS;
  // tx-id order: the slots in id order
  for (let t = lo; t <= hi && n > 0; t++) {
    if ((t - lo) % slice === slice - 1) yield;
    const i = slot[t - lo]! - 1;
    if (i < 0 || inCount![i] === 0) continue;
    const inRows = rowsOf(ins, i, vin!);
    const inputAddresses: number[] = [];
    for (const k of inRows) if (!inputAddresses.includes(inAddr![k]!)) inputAddresses.push(inAddr![k]!);
    const outRows = rowsOf(outs, i, vout!);
    const o: ChangeOut<number>[] = outRows.map((k) => ({
      vout: vout![k]!,
      address: outAddr![k]!,
      value: value[k]!,
      sameType: inType![i] !== 0 && outType[k] === inType![i],
    }));
    const tx: ChangeTx<number> = {
      inputCount: inCount![i]!,
      inputAddresses,
      inType: inType![i] === 0 ? null : r.types[inType![i]! - 1]!,
      minIn: minIn[i]!,
      own:
        known![i] === 1
          ? { version: version![i]!, locktime: LOCKTIME_STYLES[locktime![i]!]!, rbf: rbf![i] === 1 }
          : null,
      outs: o,
    };
    facts.tx = txId![i]!;
    facts.inputs = inputAddresses;
    facts.pending = null;
    const guesses = changeGuesses(tx, facts, name);
    for (const g of guesses) {
      onGuess(facts.tx, g, g.heuristic === "fee-pattern" ? facts.pending : null);
    }
    const best = changeToMerge(guesses);
    if (!best || inRows.length === 0) continue;
    const first = inRows[0]!;
    const k = outRows.find((x) => vout![x] === best.vout)!;
    onMerge({
      tx: facts.tx,
      a: inAddr![first]!,
      aKey: inKey[first]!,
      b: best.address,
      bKey: outKey[k]!,
      heuristic: `change:${best.heuristic}`,
      confidence: best.confidence,
    });
  }
}

/** Row numbers of each tx (by its row in the tx columns), as start offsets into one array. */
function byTx(cols: readonly (Int32Array | BigInt64Array)[], at: (tx: number) => number, n: number) {
  const tx = cols[0] as Int32Array;
  const start = new Int32Array(n + 1);
  for (let k = 0; k < tx.length; k++) start[at(tx[k]!)]!++;
  // start[i + 1] counted the rows of tx row i; rows of no tx of the range (slot 0) are left out
  start[0] = 0;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const rows = new Int32Array(start[n]!);
  for (let k = 0; k < tx.length; k++) {
    const s = at(tx[k]!);
    if (s > 0) rows[fill[s - 1]!++] = k;
  }
  return { start, rows };
}

/** The rows of tx slot i, ordered by `by` (vin or vout). */
function rowsOf(g: { start: Int32Array; rows: Int32Array }, i: number, by: Int32Array): number[] {
  const out: number[] = [];
  let sorted = true;
  for (let k = g.start[i]!; k < g.start[i + 1]!; k++) {
    const row = g.rows[k]!;
    if (out.length > 0 && by[row]! < by[out[out.length - 1]!]!) sorted = false;
    out.push(row);
  }
  // rows mostly come in vin / vout order already
  return sorted ? out : out.sort((x, y) => by[x]! - by[y]!);
}
