/**
 * Change-output heuristics for one Bitcoin transaction. Each guess names one output, the heuristic
 * and a confidence (0..100) that the output returns to the owner of the inputs.
 *
 * Sources: address reuse and one-time change (Meiklejohn et al. 2013, "A Fistful of Bitcoins";
 * graphsense-lib's direct_change / one_time_change), round payment and optimal change (BlockSci
 * change_address.cpp; Nick 2015), wallet fingerprints of the spending transactions (Möser and
 * Narayanan 2022, "Resurrecting Address Clustering in Bitcoin").
 */

import type { UtxoTx } from "../domain.ts";
import { detectCoinJoin } from "./coinjoin.ts";

export type ChangeHeuristic =
  | "one-time-change"
  | "round-payment"
  | "optimal-change"
  | "address-reuse"
  | "fee-pattern";

export interface ChangeGuess {
  vout: number;
  address: string;
  heuristic: ChangeHeuristic;
  /** 0..100. */
  confidence: number;
  reason: string;
}

/** The first transaction an address received in. */
export interface FirstSeen {
  txid: string;
  height: number | null;
}

/** What a transaction reveals about the wallet that built it (all from utxo_txs / utxo_inputs). */
export interface TxFingerprint {
  txid: string;
  version: number | null;
  locktime: number | null;
  /** Some input signals opt-in RBF (nSequence < 0xfffffffe); null when sequences are unknown. */
  rbf: boolean | null;
}

/** What the store knows beyond the transaction itself. Synchronous: the caller preloads it. */
export interface ChangeContext {
  /** The first transaction where the address received (this tx itself when the address is new). */
  firstSeen(address: string): FirstSeen | undefined;
  /**
   * Transactions that spent from the address (it is among their inputs). A caller with clusters
   * may return the spends of the address's whole cluster. The tx under analysis is ignored.
   */
  spentTxsOf(address: string): readonly TxFingerprint[];
}

// Confidences. Change guesses merge clusters at 70 and above (services/cluster.ts).
/** An output paying an input address belongs to the input owner, barring a payjoin receiver reusing it. */
const ADDRESS_REUSE = 95;
/** The only fresh same-type output while every other output paid an already used address. */
const ONE_TIME_STRONG = 70;
/** The only fresh same-type output; the others are fresh too but of another script type. */
const ONE_TIME_WEAK = 60;
/** The only non-round output; the payments are whole multiples of 0.01 BTC. */
const ROUND_STRONG = 65;
/** The only non-round output; the payments are multiples of 0.0001 BTC. */
const ROUND_WEAK = 50;
/** The only output smaller than every input (else the wallet would have left an input out). */
const OPTIMAL = 50;
/** The only output spent the way the wallet always spends, while another output's spender differs. */
const FEE_PATTERN_STRONG = 65;
/** The only output spent the way the wallet always spends; the others are not spent yet. */
const FEE_PATTERN_WEAK = 40;

const RBF_LIMIT = 0xfffffffe;

/** Change guesses for a transaction, strongest first. Coinbase transactions and CoinJoins give none. */
export function changeHeuristics(tx: UtxoTx, ctx: ChangeContext): ChangeGuess[] {
  if (tx.inputs.length === 0 || tx.inputs.some((i) => i.isCoinbase)) return [];
  if (detectCoinJoin(tx) !== null) return [];
  const outs = tx.outputs.filter((o): o is Out => o.address !== null && o.value > 0n);
  const inputAddresses = new Set(tx.inputs.flatMap((i) => (i.address === null ? [] : [i.address])));
  const guesses: ChangeGuess[] = [];

  const back = outs.filter((o) => inputAddresses.has(o.address));
  for (const o of back) {
    guesses.push(guess(o, "address-reuse", ADDRESS_REUSE, `pays input address ${o.address} back`));
  }
  if (outs.length >= 2) {
    // a wallet that sends change back to an input address does not use fresh change
    if (back.length === 0) guesses.push(...oneTimeChange(tx, outs, ctx));
    guesses.push(
      ...roundPayment(outs),
      ...optimalChange(tx, outs),
      ...feePattern(tx, outs, inputAddresses, ctx),
    );
  }
  return guesses.sort(
    (a, b) => b.confidence - a.confidence || a.vout - b.vout || a.heuristic.localeCompare(b.heuristic),
  );
}

/** Fingerprint of a transaction, for filling ChangeContext.spentTxsOf from stored rows. */
export function txFingerprint(tx: UtxoTx): TxFingerprint {
  const seqs = tx.inputs.map((i) => i.sequence);
  return {
    txid: tx.txid,
    version: tx.version,
    locktime: tx.locktime,
    rbf: seqs.length === 0 || seqs.some((s) => s === null) ? null : seqs.some((s) => s! < RBF_LIMIT),
  };
}

/** A ChangeContext over an in-memory list of transactions given in chain order. */
export function changeContextFromTxs(txs: Iterable<UtxoTx>): ChangeContext {
  const first = new Map<string, FirstSeen>();
  const spends = new Map<string, TxFingerprint[]>();
  for (const tx of txs) {
    for (const o of tx.outputs) {
      if (o.address !== null && !first.has(o.address)) {
        first.set(o.address, { txid: tx.txid, height: tx.block?.height ?? null });
      }
    }
    const fp = txFingerprint(tx);
    for (const a of new Set(tx.inputs.map((i) => i.address))) {
      if (a === null) continue;
      const list = spends.get(a) ?? [];
      list.push(fp);
      spends.set(a, list);
    }
  }
  return {
    firstSeen: (address) => first.get(address),
    spentTxsOf: (address) => spends.get(address) ?? [],
  };
}

// ---- heuristics ----

interface Out {
  vout: number;
  address: string;
  value: bigint;
  scriptType: string | null;
}

function guess(o: Out, heuristic: ChangeHeuristic, confidence: number, reason: string): ChangeGuess {
  return { vout: o.vout, address: o.address, heuristic, confidence, reason };
}

/** The one output first seen here, of the inputs' script type, while the others were used before or differ in type. */
function oneTimeChange(tx: UtxoTx, outs: Out[], ctx: ChangeContext): ChangeGuess[] {
  const types = new Set(tx.inputs.map((i) => i.scriptType));
  const type = types.size === 1 ? [...types][0]! : null;
  if (type === null) return [];
  const fresh = (o: Out) => ctx.firstSeen(o.address)?.txid === tx.txid;
  const candidates = outs.filter((o) => o.scriptType === type && fresh(o));
  if (candidates.length !== 1) return [];
  const c = candidates[0]!;
  const others = outs.filter((o) => o !== c);
  const reused = (o: Out) => {
    const f = ctx.firstSeen(o.address);
    return f !== undefined && f.txid !== tx.txid;
  };
  if (!others.every((o) => reused(o) || o.scriptType !== type)) return [];
  const allReused = others.every(reused);
  return [
    guess(
      c,
      "one-time-change",
      allReused ? ONE_TIME_STRONG : ONE_TIME_WEAK,
      `only new ${type} output like the inputs; the other outputs ` +
        (allReused ? "paid addresses used before" : "are of other script types"),
    ),
  ];
}

/** The one output that is not a multiple of 1000 sat while every other is a multiple of 0.0001 BTC. */
function roundPayment(outs: Out[]): ChangeGuess[] {
  const odd = outs.filter((o) => o.value % 1_000n !== 0n);
  if (odd.length !== 1) return [];
  const c = odd[0]!;
  const payments = outs.filter((o) => o !== c);
  if (!payments.every((o) => o.value % 10_000n === 0n)) return [];
  const strong = payments.every((o) => o.value % 1_000_000n === 0n);
  return [
    guess(
      c,
      "round-payment",
      strong ? ROUND_STRONG : ROUND_WEAK,
      `${c.value} sat is the only non-round amount; payments ${payments.map((o) => o.value).join(", ")} sat`,
    ),
  ];
}

/** With 2+ inputs, the one output smaller than every input (one input would have been unnecessary otherwise). */
function optimalChange(tx: UtxoTx, outs: Out[]): ChangeGuess[] {
  if (tx.inputs.length < 2) return [];
  let minIn = tx.inputs[0]!.value;
  for (const i of tx.inputs) if (i.value < minIn) minIn = i.value;
  const small = outs.filter((o) => o.value < minIn);
  if (small.length !== 1) return [];
  const c = small[0]!;
  return [
    guess(
      c,
      "optimal-change",
      OPTIMAL,
      `${c.value} sat is the only output below the smallest input (${minIn} sat)`,
    ),
  ];
}

/**
 * The wallet's other spends (from the input addresses) share this tx's nVersion, nLockTime style and
 * RBF signalling; the one output later spent with that same fingerprint is change.
 */
function feePattern(tx: UtxoTx, outs: Out[], inputAddresses: Set<string>, ctx: ChangeContext): ChangeGuess[] {
  const own = txFingerprint(tx);
  if (own.version === null || own.locktime === null || own.rbf === null) return [];
  const history = new Map<string, TxFingerprint>();
  for (const a of inputAddresses) {
    for (const f of ctx.spentTxsOf(a)) if (f.txid !== tx.txid) history.set(f.txid, f);
  }
  if (history.size === 0 || ![...history.values()].every((f) => sameWallet(f, own))) return [];
  const status = (o: Out): "match" | "differs" | "unspent" => {
    const spenders = ctx.spentTxsOf(o.address).filter((f) => f.txid !== tx.txid);
    if (spenders.length === 0) return "unspent";
    return spenders.every((f) => sameWallet(f, own)) ? "match" : "differs";
  };
  const candidates = outs.filter((o) => !inputAddresses.has(o.address));
  const statuses = candidates.map(status);
  const matches = candidates.filter((_, i) => statuses[i] === "match");
  if (matches.length !== 1) return [];
  const c = matches[0]!;
  const strong = statuses.includes("differs");
  return [
    guess(
      c,
      "fee-pattern",
      strong ? FEE_PATTERN_STRONG : FEE_PATTERN_WEAK,
      `spent like the wallet's ${history.size} other txs (${describe(own)})` +
        (strong ? "; another output's spender differs" : "; the other outputs are unspent"),
    ),
  ];
}

// ---- fingerprints ----

/** Anti-fee-sniping wallets set nLockTime to a recent height; others leave it 0. */
function locktimeStyle(locktime: number | null): string | null {
  if (locktime === null) return null;
  return locktime === 0 ? "zero" : locktime < 500_000_000 ? "height" : "time";
}

/** Unknown fields never contradict. */
function sameWallet(a: TxFingerprint, b: TxFingerprint): boolean {
  const eq = <T>(x: T | null, y: T | null) => x === null || y === null || x === y;
  return (
    eq(a.version, b.version) && eq(locktimeStyle(a.locktime), locktimeStyle(b.locktime)) && eq(a.rbf, b.rbf)
  );
}

function describe(f: TxFingerprint): string {
  return `version ${f.version}, locktime ${locktimeStyle(f.locktime)}, ${f.rbf ? "RBF" : "no RBF"}`;
}
