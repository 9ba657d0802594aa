/**
 * CoinJoin detection over one transaction's shape (values, script types, counts, order, sequences).
 *
 * Every rule states the protocol's published parameters, with the source in docs/clustering.md:
 * - Samourai Whirlpool and its Ashigaru fork (whirlpool-server/-client, ExtLibJ, Ashigaru pools): pools,
 *   coordinator fees, Tx0 limits, and the server's output check (any bech32/bech32m address).
 * - WalletWasabi: Wasabi 1 (ZeroLink, CoordinatorRoundConfig) and Wasabi 2 (WabiSabiConfig,
 *   DenominationBuilder, SigningState, the client's AbsoluteMinInputCount).
 * - JoinMarket (jmclient configure.py) and, for the generic rule, BlockSci's `isCoinjoin`.
 * Published detectors (Dumplings, graphsense-lib) supplied the tolerances the protocols leave open.
 * The tests run the rules on real mainnet transactions (test/fixtures/coinjoin/).
 *
 * Confidence is 0..100: how sure we are the transaction is a CoinJoin of that kind.
 */
import type { UtxoTx } from "../domain.ts";

export type CoinJoinKind =
  | "whirlpool-mix"
  | "whirlpool-tx0"
  | "wasabi-2"
  | "wasabi-1"
  | "joinmarket"
  | "equal-output";

export interface CoinJoinMatch {
  kind: CoinJoinKind;
  /** 0..100. */
  confidence: number;
  reason: string;
}

/**
 * Whether the inputs of this kind belong to several owners. A Tx0 is one wallet splitting its own
 * coins before mixing, so common-input ownership still holds there.
 */
export function isCollaborative(kind: CoinJoinKind): boolean {
  return kind !== "whirlpool-tx0";
}

const P2WPKH = "v0_p2wpkh";
const P2WSH = "v0_p2wsh";
const P2TR = "v1_p2tr";
const OP_RETURN = "op_return";
/** Native segwit outputs of any version: what a bech32/bech32m address pays to. */
const BECH32_OUTPUTS: ReadonlySet<string> = new Set([P2WPKH, P2WSH, P2TR]);

/** First blocks each protocol can appear in; unconfirmed transactions are never gated by these. */
const FIRST_JOINMARKET_HEIGHT = 392_300;
/** The first Whirlpool mix (0.05 BTC pool, a554db79…, 2019-04-17). */
const FIRST_WHIRLPOOL_HEIGHT = 572_030;
const FIRST_WASABI_HEIGHT = 530_500;
/** The first WabiSabi round (zkSNACKs, June 2022; Dumplings FirstWasabi2Block). */
const FIRST_WASABI2_HEIGHT = 741_213;
/**
 * zkSNACKs, the only Wasabi 1 coordinator, stopped all coordination on 2024-06-01 (WalletWasabi release
 * 2.0.8, terms of 2024-05-09). A round is mined within hours of its signing: blocks after 2024-06-02
 * 00:00 UTC (and unconfirmed transactions, which are later still) hold none.
 */
export const WASABI1_LAST_BLOCK_TIME = Date.UTC(2024, 5, 2) / 1000;

export interface WhirlpoolPool {
  denomination: bigint;
  /** The Tx0 coordinator fee (the base fee; SCODE discounts lower it). */
  fee: bigint;
  /** Premix outputs one Tx0 may create (tx0MaxOutputs). */
  maxPremix: number;
  coordinator: "samourai" | "ashigaru";
}

/** Whirlpool pools in sat: Samourai's four (fees after March 2021) and Ashigaru's two (2025). */
export const WHIRLPOOL_POOLS: readonly WhirlpoolPool[] = [
  { denomination: 100_000n, fee: 5_000n, maxPremix: 70, coordinator: "samourai" },
  { denomination: 1_000_000n, fee: 50_000n, maxPremix: 70, coordinator: "samourai" },
  { denomination: 5_000_000n, fee: 175_000n, maxPremix: 70, coordinator: "samourai" },
  { denomination: 50_000_000n, fee: 1_750_000n, maxPremix: 70, coordinator: "samourai" },
  { denomination: 2_500_000n, fee: 125_000n, maxPremix: 20, coordinator: "ashigaru" },
  { denomination: 25_000_000n, fee: 1_250_000n, maxPremix: 20, coordinator: "ashigaru" },
];
/** A premix (new entrant) carries at most 0.0011 BTC above the pool denomination for mix miner fees. */
const WHIRLPOOL_PREMIX_MAX_EXTRA = 110_000n;
/** Anonymity set 5, grown by surge inputs; real mixes of 8 and 9 exist, detectors allow up to 10. */
const WHIRLPOOL_MIN_PARTICIPANTS = 5;
const WHIRLPOOL_MAX_PARTICIPANTS = 10;

/** The two fixed zkSNACKs coordinator fee addresses Wasabi 1 used before block 610000. */
const WASABI1_COORDINATORS: ReadonlySet<string> = new Set([
  "bc1qs604c7jv6amk4cxqlnvuxv26hv3e48cds4m0ew",
  "bc1qa24tsgchvuxsaccp8vrnkfd85hrcpafg20kmjw",
]);
const WASABI1_DENOMINATION = 10_000_000n;
const WASABI1_TOLERANCE = 2_000_000n;
const WASABI1_MIN_EQUAL = 10;

/**
 * WabiSabi input counts: the zkSNACKs coordinator's minimum was 50 (MinInputCountByRoundMultiplier 0.5
 * of MaxInputCountByRound 100); the client's default minimum is 21 (DefaultAbsoluteMinInputCount) and it
 * joins rounds down to 5 (AbsoluteMinInputCount, since v2.1.0.0), which other coordinators run.
 */
const WASABI2_MIN_INPUTS = 5;
const WASABI2_CLIENT_DEFAULT_MIN_INPUTS = 21;
const WASABI2_ZKSNACKS_MIN_INPUTS = 50;
const SEQUENCE_FINAL = 0xffffffff;

/** BIP-style dust limit for the generic rule, and JoinMarket's own dust threshold. */
const DUST = 546n;
const JOINMARKET_DUST = 2_730n;

/**
 * WabiSabi standard denominations (WalletWasabi DenominationBuilder): powers of 2 and 3, 2·3^n and the
 * 1-2-5 series, between MinRegistrableAmount 5,000 sat and MaxRegistrableAmount 43,000 BTC.
 */
export const WASABI2_DENOMINATIONS: ReadonlySet<bigint> = (() => {
  const min = 5_000n;
  const max = 4_300_000_000_000n;
  const out = new Set<bigint>();
  const series = (base: bigint, factor: bigint) => {
    for (let d = factor; d <= max; d *= base) if (d >= min) out.add(d);
  };
  series(2n, 1n);
  series(3n, 1n);
  series(3n, 2n);
  series(10n, 1n);
  series(10n, 2n);
  series(10n, 5n);
  return out;
})();

/** The most specific kind this transaction matches, or null. Coinbase transactions never match. */
export function detectCoinJoin(tx: UtxoTx): CoinJoinMatch | null {
  if (tx.inputs.length === 0 || tx.inputs.some((i) => i.isCoinbase)) return null;
  return (
    whirlpoolMix(tx) ?? whirlpoolTx0(tx) ?? wasabi2(tx) ?? wasabi1(tx) ?? joinMarket(tx) ?? equalOutput(tx)
  );
}

// ---- rules, most specific first ----

/**
 * Whirlpool mix: n×n (5..10) at one pool denomination; remixers bring exactly d, new entrants d plus at
 * most 0.0011 BTC of mix miner fee; inputs are P2WPKH (premix/postmix wallets). The server accepts any
 * bech32 receive address, so outputs may be P2WPKH, P2WSH or P2TR (a "mix to" another wallet).
 */
function whirlpoolMix(tx: UtxoTx): CoinJoinMatch | null {
  const n = tx.inputs.length;
  if (n < WHIRLPOOL_MIN_PARTICIPANTS || n > WHIRLPOOL_MAX_PARTICIPANTS || tx.outputs.length !== n)
    return null;
  if (!activeSince(tx, FIRST_WHIRLPOOL_HEIGHT)) return null;
  const d = tx.outputs[0]!.value;
  const pool = WHIRLPOOL_POOLS.find((p) => p.denomination === d);
  if (!pool) return null;
  if (!tx.outputs.every((o) => o.value === d && o.scriptType !== null && BECH32_OUTPUTS.has(o.scriptType)))
    return null;
  const inRange = (v: bigint) => v >= d && v - d <= WHIRLPOOL_PREMIX_MAX_EXTRA;
  if (!tx.inputs.every((i) => i.scriptType === P2WPKH && inRange(i.value))) return null;
  const remixers = tx.inputs.filter((i) => i.value === d).length;
  // at least one free remix (liquidity) and one new entrant paying the miner fee
  if (remixers < 1 || remixers === n) return null;
  if (distinctAddresses(tx.inputs) !== n || distinctAddresses(tx.outputs) !== n) return null;
  const other = tx.outputs.filter((o) => o.scriptType !== P2WPKH).map((o) => o.scriptType);
  return {
    kind: "whirlpool-mix",
    // the classic 5x5 is the protocol's fixed shape; 6..10 came with surge cycles
    confidence: n === 5 ? 95 : 85,
    reason:
      `${n}x${n} Whirlpool mix at pool ${btc(d)} BTC${pool.coordinator === "ashigaru" ? " (Ashigaru)" : ""}: ` +
      `${remixers} remixers, ${n - remixers} new entrants` +
      (other.length > 0 ? `, ${other.length} output(s) to ${[...new Set(other)].join("/")}` : ""),
  };
}

/** Whirlpool Tx0: premix outputs at d + ε, the pool's coordinator fee, at most one change, one OP_RETURN. */
function whirlpoolTx0(tx: UtxoTx): CoinJoinMatch | null {
  if (!activeSince(tx, FIRST_WHIRLPOOL_HEIGHT)) return null;
  if (tx.outputs.filter((o) => o.scriptType === OP_RETURN).length !== 1) return null;
  const spendable = tx.outputs.filter((o) => o.scriptType !== OP_RETURN);
  for (const pool of WHIRLPOOL_POOLS) {
    const d = pool.denomination;
    const window = spendable.filter((o) => o.value > d && o.value - d <= WHIRLPOOL_PREMIX_MAX_EXTRA);
    const top = mostFrequent(valueCounts(window));
    if (!top || top.count > pool.maxPremix) continue;
    const premix = spendable.filter((o) => o.value === top.value);
    if (!premix.every((o) => o.scriptType === P2WPKH)) continue;
    const rest = spendable.filter((o) => o.value !== top.value);
    if (rest.length < 1 || rest.length > 2) continue;
    // SCODE discounts lower the fee, so accept half to three times the pool fee (graphsense eta bounds)
    const fee = rest.find((o) => o.value * 2n >= pool.fee && o.value <= pool.fee * 3n);
    if (!fee) continue;
    return {
      kind: "whirlpool-tx0",
      // a single premix is a weaker shape: one OP_RETURN and two odd outputs are not rare
      confidence: top.count >= 2 ? 85 : 70,
      reason:
        `Whirlpool Tx0 for pool ${btc(d)} BTC${pool.coordinator === "ashigaru" ? " (Ashigaru)" : ""}: ` +
        `${top.count} premix outputs of ${top.value} sat, ` +
        `coordinator fee ${fee.value} sat (vout ${fee.vout}), OP_RETURN`,
    };
  }
  return null;
}

/**
 * Wasabi 2 (WabiSabi), as WalletWasabi builds a round: P2WPKH/P2TR inputs (the only input types a
 * coordinator allows), locktime 0 and final sequences, inputs and outputs by value descending, one output
 * per script (the coordinator merges a script's outputs), and more than 80% of the outputs at standard
 * denominations (WalletWasabi IsWasabi2Cj). At least 5 inputs: the smallest round a client joins.
 */
function wasabi2(tx: UtxoTx): CoinJoinMatch | null {
  const n = tx.inputs.length;
  if (n < WASABI2_MIN_INPUTS || tx.outputs.length < 2 || !activeSince(tx, FIRST_WASABI2_HEIGHT)) return null;
  if (tx.locktime !== 0 || !tx.inputs.every((i) => i.sequence === SEQUENCE_FINAL)) return null;
  // participants share denominations: some value repeats even in the smallest rounds
  if (!hasRepeatedValue(tx)) return null;
  if (!tx.inputs.every((i) => i.scriptType === P2WPKH || i.scriptType === P2TR)) return null;
  if (!descending(tx.inputs.map((i) => i.value)) || !descending(tx.outputs.map((o) => o.value))) return null;
  if (tx.outputs.some((o) => o.address === null) || distinctAddresses(tx.outputs) !== tx.outputs.length)
    return null;
  const standard = tx.outputs.filter((o) => WASABI2_DENOMINATIONS.has(o.value)).length;
  if (standard * 5 <= tx.outputs.length * 4) return null;
  const confidence = n >= WASABI2_ZKSNACKS_MIN_INPUTS ? 95 : n >= WASABI2_CLIENT_DEFAULT_MIN_INPUTS ? 85 : 70;
  return {
    kind: "wasabi-2",
    confidence,
    reason:
      `WabiSabi round: ${n} inputs and ${tx.outputs.length} outputs in descending order, ` +
      `${standard} outputs at standard denominations, locktime 0, final sequences`,
  };
}

/**
 * Wasabi 1.0/1.1 (ZeroLink, zkSNACKs coordinator, 2018 to June 2024): a coordinator-address fee output
 * (before block 610000), or ≥10 equal P2WPKH outputs near the 0.1 BTC base denomination with change and
 * the coordinator fee beside them; mixing levels at 2^i times the base.
 */
function wasabi1(tx: UtxoTx): CoinJoinMatch | null {
  // bounded on both sides: no zkSNACKs coordination after June 2024, and nothing unconfirmed is that old
  if (tx.block === null || tx.block.time >= WASABI1_LAST_BLOCK_TIME) return null;
  if (!activeSince(tx, FIRST_WASABI_HEIGHT)) return null;
  const counts = valueCounts(tx.outputs);
  const coordinator = tx.outputs.find((o) => o.address !== null && WASABI1_COORDINATORS.has(o.address));
  const top = mostFrequent(counts);
  // before block 610000 the coordinator fee went to two fixed addresses (Dumplings)
  if (coordinator && top && top.count > 2) {
    return {
      kind: "wasabi-1",
      confidence: 99,
      reason: `pays the Wasabi 1 coordinator ${coordinator.address} (vout ${coordinator.vout}) beside ${top.count} equal outputs of ${top.value} sat`,
    };
  }
  if (!tx.inputs.every((i) => i.scriptType === P2WPKH) || !tx.outputs.every((o) => o.scriptType === P2WPKH)) {
    return null;
  }
  const near = new Map([...counts].filter(([v]) => abs(v - WASABI1_DENOMINATION) <= WASABI1_TOLERANCE));
  const base = mostFrequent(near);
  if (!base || base.count < WASABI1_MIN_EQUAL || tx.inputs.length < base.count) return null;
  // at least one change and the coordinator fee have values of their own
  const unique = [...counts.values()].filter((c) => c === 1).length;
  if (unique < 2) return null;
  // Wasabi 1.1 mixing levels sit at 2^i times the base denomination
  const levels: string[] = [];
  for (let i = 1n, level = base.value * 2n; level <= 64n * base.value; i++, level *= 2n) {
    const n = tx.outputs.filter((o) => abs(o.value - level) * 20n <= level).length;
    if (n >= 2) levels.push(`${n}x level ${i}`);
  }
  return {
    kind: "wasabi-1",
    confidence: 90,
    reason:
      `ZeroLink round: ${base.count} equal outputs of ${base.value} sat (~0.1 BTC), ${tx.inputs.length} inputs, ` +
      `${unique} unique-value outputs (change, coordinator fee)` +
      (levels.length > 0 ? `, Wasabi 1.1 mixing levels: ${levels.join(", ")}` : ""),
  };
}

/**
 * JoinMarket: one repeated value d (n ≥ 2 outputs), n-1..n change outputs (every maker earns a fee, so
 * has change; a sweeping taker has none), ≥ n distinct input addresses, distinct output addresses, and
 * no single input larger than one participant could get back (Dumplings' cheap stand-in for subset sum).
 */
function joinMarket(tx: UtxoTx): CoinJoinMatch | null {
  if (!activeSince(tx, FIRST_JOINMARKET_HEIGHT)) return null;
  const repeated = [...valueCounts(tx.outputs)].filter(([, c]) => c >= 2);
  if (repeated.length !== 1) return null;
  const [d, n] = repeated[0]!;
  if (d <= JOINMARKET_DUST || n < 2) return null;
  const change = tx.outputs.filter((o) => o.value !== d);
  if (change.length < n - 1 || change.length > n) return null;
  if (tx.inputs.length < n || distinctAddresses(tx.inputs) < n) return null;
  if (tx.outputs.some((o) => o.address === null) || distinctAddresses(tx.outputs) !== tx.outputs.length)
    return null;
  const maxChange = maxOf(change.map((o) => o.value));
  const maxInput = maxOf(tx.inputs.map((i) => i.value));
  // slack: the whole miner fee plus 1% of d for maker fees the taker pays
  if (maxInput > d + maxChange + tx.fee + d / 100n) return null;
  return {
    kind: "joinmarket",
    // the JoinMarket client defaults to 4+ makers since 2019; two-party joins look like many other things
    confidence: n >= 5 ? 80 : n >= 3 ? 70 : 55,
    reason: `${n} equal outputs of ${d} sat and ${change.length} change outputs from ${tx.inputs.length} inputs`,
  };
}

/**
 * The generic rule exactly as stated: ≥2 inputs, ≥3 outputs, the most common output value appears
 * exactly (outputs+1)/2 times, and it is not dust (< 546 sat). (outputs+1)/2 is taken as a real
 * number, so only odd output counts can match; BlockSci's C++ floors it instead. Even shapes such as
 * 2 equal + 2 change are left to the JoinMarket rule.
 */
function equalOutput(tx: UtxoTx): CoinJoinMatch | null {
  const outs = tx.outputs.length;
  if (tx.inputs.length < 2 || outs < 3 || outs % 2 === 0) return null;
  const participants = (outs + 1) / 2;
  const top = mostFrequent(valueCounts(tx.outputs));
  // a value seen (outs+1)/2 times is a strict majority, so it is the only candidate
  if (!top || top.count !== participants || top.value < DUST) return null;
  return {
    kind: "equal-output",
    confidence: 50,
    reason: `${top.count} of ${outs} outputs are ${top.value} sat from ${tx.inputs.length} inputs (BlockSci isCoinjoin rule)`,
  };
}

// ---- helpers ----

function activeSince(tx: UtxoTx, height: number): boolean {
  return tx.block === null || tx.block.height >= height;
}

function valueCounts(outputs: readonly { value: bigint }[]): Map<bigint, number> {
  const m = new Map<bigint, number>();
  for (const o of outputs) m.set(o.value, (m.get(o.value) ?? 0) + 1);
  return m;
}

/** Highest count; ties go to the larger value so the answer does not depend on output order. */
function mostFrequent(counts: Map<bigint, number>): { value: bigint; count: number } | undefined {
  let best: { value: bigint; count: number } | undefined;
  for (const [value, count] of counts) {
    if (!best || count > best.count || (count === best.count && value > best.value)) best = { value, count };
  }
  return best;
}

function hasRepeatedValue(tx: UtxoTx): boolean {
  return [...valueCounts(tx.outputs).values()].some((c) => c >= 2);
}

/** Null addresses (non-standard scripts) count as distinct. */
function distinctAddresses(items: readonly { address: string | null }[]): number {
  const set = new Set<string>();
  let nulls = 0;
  for (const it of items) {
    if (it.address === null) nulls++;
    else set.add(it.address);
  }
  return set.size + nulls;
}

function descending(values: readonly bigint[]): boolean {
  for (let i = 1; i < values.length; i++) if (values[i]! > values[i - 1]!) return false;
  return true;
}

function maxOf(values: readonly bigint[]): bigint {
  let m = 0n;
  for (const v of values) if (v > m) m = v;
  return m;
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

function btc(sat: bigint): string {
  const whole = sat / 100_000_000n;
  const frac = (sat % 100_000_000n).toString().padStart(8, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}
