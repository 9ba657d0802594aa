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

export const CHANGE_HEURISTICS = [
  "one-time-change",
  "round-payment",
  "optimal-change",
  "address-reuse",
  "fee-pattern",
] as const;
export type ChangeHeuristic = (typeof CHANGE_HEURISTICS)[number];

export interface ChangeGuess<A = string> {
  vout: number;
  address: A;
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

// Confidences. Change guesses merge clusters at 70 and above (CHANGE_MERGE_CONFIDENCE).
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
  return changeGuesses(changeTxOf(tx), factsOf(tx, ctx), (a) => a);
}

/** A transaction as the heuristics read it, over any kind of address (strings, or integer ids). */
export interface ChangeTx<A> {
  inputCount: number;
  /** Distinct input addresses in vin order (the first is the first input with an address). */
  inputAddresses: readonly A[];
  /** The one script type of all inputs (null when they differ or are unknown). */
  inType: string | null;
  /** The smallest input value. */
  minIn: bigint;
  /** The wallet style of the tx; null when version, locktime or RBF signalling is unknown. */
  own: WalletStyle | null;
  /** Outputs with an address and a value above 0, in vout order; sameType: of the inputs' one script type. */
  outs: readonly ChangeOut<A>[];
}

export interface ChangeOut<A> {
  vout: number;
  address: A;
  value: bigint;
  sameType: boolean;
}

/** What a wallet's spends share: nVersion, nLockTime style, opt-in RBF. */
export interface WalletStyle {
  version: number;
  locktime: LocktimeStyle;
  rbf: boolean;
}

export type LocktimeStyle = "zero" | "height" | "time";

/** What the store knows of an address beyond the transaction under analysis (which is always left out). */
export interface AddressFacts<A> {
  /** True when the tx is the first stored one paying the address, false when another was; undefined: unknown. */
  firstPaidHere(address: A): boolean | undefined;
  /** Stored transactions that spent from the address. */
  spendCount(address: A): number;
  /** Each of those looks built by a wallet of this style (unknown fields never contradict). */
  spentLike(address: A, style: WalletStyle): boolean;
  /** Distinct stored transactions spending from any of these addresses; undefined when the caller counts later. */
  spenderCount(addresses: readonly A[]): number | undefined;
}

/**
 * Stand-ins a caller may have written into reasons and replaces later: the guessed output's address
 * (when `name` returns it) and the spender count (when AddressFacts.spenderCount returns undefined).
 */
export const REASON_ADDRESS = "\u0001";
export const REASON_SPENDERS = "\u0002";

/** Change guesses for a transaction that is neither coinbase nor CoinJoin, strongest first. */
export function changeGuesses<A>(
  tx: ChangeTx<A>,
  facts: AddressFacts<A>,
  name: (address: A) => string,
): ChangeGuess<A>[] {
  const { outs } = tx;
  const inputAddresses = new Set(tx.inputAddresses);
  const guesses: ChangeGuess<A>[] = [];
  let back = 0;
  for (const o of outs) {
    if (!inputAddresses.has(o.address)) continue;
    back++;
    guesses.push(guess(o, "address-reuse", ADDRESS_REUSE, `pays input address ${name(o.address)} back`));
  }
  if (outs.length >= 2) {
    // a wallet that sends change back to an input address does not use fresh change
    if (back === 0) pushAll(guesses, oneTimeChange(tx, facts));
    pushAll(guesses, roundPayment(outs));
    pushAll(guesses, optimalChange(tx));
    pushAll(guesses, feePattern(tx, inputAddresses, facts));
  }
  return guesses.sort(
    (a, b) => b.confidence - a.confidence || a.vout - b.vout || a.heuristic.localeCompare(b.heuristic),
  );
}

/** The guess a cluster merges on: the strongest, at 70 or more, unless another output ties with it. */
export function changeToMerge<G extends { vout: number; confidence: number }>(
  guesses: readonly G[],
): G | undefined {
  const best = guesses[0];
  if (!best || best.confidence < CHANGE_MERGE_CONFIDENCE) return undefined;
  if (guesses.some((g) => g.vout !== best.vout && g.confidence === best.confidence)) return undefined;
  return best;
}

/** Change guesses merge clusters only at or above this confidence (and only with --heuristics change). */
export const CHANGE_MERGE_CONFIDENCE = 70;

function pushAll<T>(into: T[], xs: readonly T[]): void {
  for (const x of xs) into.push(x);
}

/** A UtxoTx as the heuristics read it. */
function changeTxOf(tx: UtxoTx): ChangeTx<string> {
  const fp = storedFingerprint(tx);
  const inputAddresses = new Set<string>();
  for (const i of tx.inputs) if (i.address !== null) inputAddresses.add(i.address);
  const outs: ChangeOut<string>[] = [];
  for (const o of tx.outputs) {
    if (o.address === null || o.value <= 0n) continue;
    outs.push({ vout: o.vout, address: o.address, value: o.value, sameType: o.scriptType === fp.inType });
  }
  return {
    inputCount: tx.inputs.length,
    inputAddresses: [...inputAddresses],
    inType: fp.inType,
    minIn: fp.minIn ?? 0n,
    own: walletStyle(txFingerprint(tx)),
    outs,
  };
}

/** A fingerprint's style; null when a field is unknown. */
export function walletStyle(f: Omit<TxFingerprint, "txid">): WalletStyle | null {
  const locktime = locktimeStyle(f.locktime);
  if (f.version === null || locktime === null || f.rbf === null) return null;
  return { version: f.version, locktime, rbf: f.rbf };
}

/** AddressFacts from a ChangeContext, leaving the tx under analysis out. */
function factsOf(tx: UtxoTx, ctx: ChangeContext): AddressFacts<string> {
  const others = (a: string) => ctx.spentTxsOf(a).filter((f) => f.txid !== tx.txid);
  return {
    firstPaidHere: (a) => {
      const f = ctx.firstSeen(a);
      return f === undefined ? undefined : f.txid === tx.txid;
    },
    spendCount: (a) => others(a).length,
    spentLike: (a, style) => others(a).every((f) => sameWallet(f, style)),
    spenderCount: (addresses) => new Set(addresses.flatMap((a) => others(a).map((f) => f.txid))).size,
  };
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

/** What the heuristics need of a transaction alone, computed once when it is stored. */
export interface StoredFingerprint {
  rbf: boolean | null;
  /** Any CoinJoin kind (the heuristics skip them all, a Whirlpool tx0 too). */
  coinjoin: string | null;
  /** The one script type of all inputs; null when they differ (or all are unknown). */
  inType: string | null;
  /** The smallest input value (null without inputs). */
  minIn: bigint | null;
}

export function storedFingerprint(tx: UtxoTx): StoredFingerprint {
  const types = new Set(tx.inputs.map((i) => i.scriptType));
  let minIn: bigint | null = null;
  for (const i of tx.inputs) if (minIn === null || i.value < minIn) minIn = i.value;
  return {
    rbf: txFingerprint(tx).rbf,
    coinjoin: detectCoinJoin(tx)?.kind ?? null,
    inType: types.size === 1 ? [...types][0]! : null,
    minIn,
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

function guess<A>(
  o: ChangeOut<A>,
  heuristic: ChangeHeuristic,
  confidence: number,
  reason: string,
): ChangeGuess<A> {
  return { vout: o.vout, address: o.address, heuristic, confidence, reason };
}

/** The one output first seen here, of the inputs' script type, while the others were used before or differ in type. */
function oneTimeChange<A>(tx: ChangeTx<A>, facts: AddressFacts<A>): ChangeGuess<A>[] {
  const type = tx.inType;
  if (type === null) return [];
  const candidates = tx.outs.filter((o) => o.sameType && facts.firstPaidHere(o.address) === true);
  if (candidates.length !== 1) return [];
  const c = candidates[0]!;
  const others = tx.outs.filter((o) => o !== c);
  const reused = (o: ChangeOut<A>) => facts.firstPaidHere(o.address) === false;
  if (!others.every((o) => reused(o) || !o.sameType)) return [];
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
function roundPayment<A>(outs: readonly ChangeOut<A>[]): ChangeGuess<A>[] {
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
function optimalChange<A>(tx: ChangeTx<A>): ChangeGuess<A>[] {
  if (tx.inputCount < 2) return [];
  const minIn = tx.minIn;
  const small = tx.outs.filter((o) => o.value < minIn);
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
function feePattern<A>(
  tx: ChangeTx<A>,
  inputAddresses: ReadonlySet<A>,
  facts: AddressFacts<A>,
): ChangeGuess<A>[] {
  const own = tx.own;
  if (own === null) return [];
  let spent = false;
  for (const a of inputAddresses) {
    if (facts.spendCount(a) === 0) continue;
    spent = true;
    if (!facts.spentLike(a, own)) return [];
  }
  if (!spent) return [];
  const status = (o: ChangeOut<A>): "match" | "differs" | "unspent" => {
    if (facts.spendCount(o.address) === 0) return "unspent";
    return facts.spentLike(o.address, own) ? "match" : "differs";
  };
  const candidates = tx.outs.filter((o) => !inputAddresses.has(o.address));
  const statuses = candidates.map(status);
  const matches = candidates.filter((_, i) => statuses[i] === "match");
  if (matches.length !== 1) return [];
  const c = matches[0]!;
  const strong = statuses.includes("differs");
  const history = facts.spenderCount(tx.inputAddresses) ?? REASON_SPENDERS;
  return [
    guess(
      c,
      "fee-pattern",
      strong ? FEE_PATTERN_STRONG : FEE_PATTERN_WEAK,
      `spent like the wallet's ${history} other txs (${describe(own)})` +
        (strong ? "; another output's spender differs" : "; the other outputs are unspent"),
    ),
  ];
}

// ---- fingerprints ----

/** Anti-fee-sniping wallets set nLockTime to a recent height; others leave it 0. */
export function locktimeStyle(locktime: number | null): LocktimeStyle | null {
  if (locktime === null) return null;
  return locktime === 0 ? "zero" : locktime < 500_000_000 ? "height" : "time";
}

/** Unknown fields never contradict. */
function sameWallet(a: TxFingerprint, b: WalletStyle): boolean {
  const eq = <T>(x: T | null, y: T) => x === null || x === y;
  return eq(a.version, b.version) && eq(locktimeStyle(a.locktime), b.locktime) && eq(a.rbf, b.rbf);
}

function describe(f: WalletStyle): string {
  return `version ${f.version}, locktime ${f.locktime}, ${f.rbf ? "RBF" : "no RBF"}`;
}
