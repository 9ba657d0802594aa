/**
 * A local Tron chain for tests, the bench and the demo: accounts, TRX, TRC-10 and TRC-20 tokens,
 * blocks every 3 s (with missed slots on request), transactions in java-tron's format with real
 * `raw_data_hex` and txIDs (./tron-proto.ts). The local TronGrid server (./tron-server.ts) answers
 * from it. While it runs it keeps its own ledger of what each transaction moves (`expected`), so
 * tests compare adapters against what happened, never against another adapter.
 *
 * What is synthetic: signatures (65 deterministic bytes, never checked by fundtrace), the witness
 * and txTrieRoot of blocks, and addresses (derived from a seed, not from keys). Fees follow TRON's
 * rules in a simple form: bandwidth burned at 1,000 sun per byte, energy at 420 sun, 1 TRX to
 * activate a new account, a reverted call burning the energy it used.
 */
import { createHash } from "node:crypto";
import { tronBase58, tronHex } from "../chains.ts";
import { type AccountTransfer, compareTransfers } from "../domain.ts";
import { blockIdOf, type RawContractJson, type RawDataJson, sha256Hex, txIdOf } from "./tron-proto.ts";

export const TRX = { asset: "TRX", symbol: "TRX", decimals: 6 } as const;
/** The real USDT-TRC20 contract (Tether USD, 6 decimals). */
export const USDT_CONTRACT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
/** base58 of 21 zero-body bytes: the `from` of a mint. */
export const TRON_ZERO = tronBase58(new Uint8Array(20));
export const TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
export const APPROVAL_TOPIC = "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925";
const SEL_TRANSFER = "a9059cbb";
const SEL_APPROVE = "095ea7b3";
/** Made-up selector of the devchain's batch transfer (several Transfer logs in one call). */
const SEL_MULTI = "1e89d545";
const ENERGY_PRICE = 420n;
const BANDWIDTH_PRICE = 1000n;
const CREATE_ACCOUNT_FEE = 1_000_000n;

export interface TronToken {
  contract: string;
  symbol: string;
  name: string;
  decimals: number;
  /**
   * An old-style token whose Transfer event indexes nothing (topics: the signature only; data: from,
   * to, value). TronGrid decodes it by its ABI and lists it; fundtrace reads 3-topic logs only.
   */
  unindexed?: boolean;
}

export interface Trc10 {
  id: string;
  abbr: string;
  name: string;
  precision: number;
  owner: string;
}

export interface DevLog {
  /** 20-byte hex without 41 (as TransactionInfo.log prints it). */
  address: string;
  topics: string[];
  data: string;
}

export interface DevInternal {
  hash: string;
  from: string;
  to: string;
  callValue: bigint;
  tokenId?: string;
  rejected: boolean;
}

export type ContractRet = "SUCCESS" | "REVERT";

export interface DevTx {
  txID: string;
  type: RawContractJson["type"];
  rawData: RawDataJson;
  rawDataHex: string;
  signature: string;
  owner: string;
  /** Accounts whose /transactions list shows the transaction itself (owner, recipient, called contract). */
  parties: string[];
  contractRet: ContractRet;
  fee: bigint;
  netUsage: number;
  netFee: bigint;
  energyUsage: number;
  energyFee: bigint;
  energyUsageTotal: number;
  /** TriggerSmartContract: the contract called. */
  contract?: string;
  logs: DevLog[];
  internals: DevInternal[];
  /** Set when mined. */
  block: number;
  index: number;
  timestamp: number;
}

export interface DevBlock {
  number: number;
  timestamp: number;
  blockID: string;
  parentHash: string;
  txTrieRoot: string;
  witness: string;
  txs: DevTx[];
}

export interface TronChainOptions {
  seed?: string;
  /** Timestamp (ms) of block 0; default 2025-01-01T00:00:00Z. */
  genesisTime?: number;
}

const word = (hex: string) => hex.padStart(64, "0");
const addrWord = (base58: string) => word(tronHex(base58).slice(2));
const valueWord = (v: bigint) => word(v.toString(16));

/** Tron amounts in transactions are int64. */
function int64(v: bigint, what: string): bigint {
  if (v < 0n || v > 2n ** 63n - 1n) throw new RangeError(`${what} ${v} is not an int64 amount`);
  return v;
}

/** Decodes the devchain's calls' calldata: selector and words. */
function calldata(sel: string, words: string[]): string {
  return sel + words.join("");
}

export class TronDevChain {
  readonly seed: string;
  readonly blocks: DevBlock[] = [];
  readonly tokens = new Map<string, TronToken>();
  readonly trc10 = new Map<string, Trc10>();
  private readonly txs = new Map<string, DevTx>();
  private pending: DevTx[] = [];
  private readonly trx = new Map<string, bigint>();
  private readonly tokenBal = new Map<string, bigint>();
  private readonly created = new Map<string, number>();
  private nonce = 0;
  /** Every account that ever held something or sent something. */
  readonly accounts = new Set<string>();
  /** Head block number; confirmed (solidified) head is `head - solidDepth`. */
  solidDepth = 0;

  constructor(opts: TronChainOptions = {}) {
    this.seed = opts.seed ?? "fundtrace-tron";
    const t0 = opts.genesisTime ?? Date.UTC(2025, 0, 1);
    this.blocks.push(this.seal(0, t0, []));
  }

  get head(): DevBlock {
    return this.blocks[this.blocks.length - 1]!;
  }

  get solidHead(): DevBlock {
    return this.blocks[Math.max(0, this.blocks.length - 1 - this.solidDepth)]!;
  }

  /** A deterministic account address for a name. */
  address(name: string): string {
    return tronBase58(createHash("sha256").update(`${this.seed}:${name}`).digest().subarray(0, 20));
  }

  /** Genesis allocation (no transaction): for funders whose own history no test reads. */
  fund(address: string, sun: bigint): void {
    this.trx.set(address, (this.trx.get(address) ?? 0n) + sun);
    this.touch(address);
  }

  balance(address: string): bigint {
    return this.trx.get(address) ?? 0n;
  }

  tokenBalance(contract: string, address: string): bigint {
    return this.tokenBal.get(`${contract}|${address}`) ?? 0n;
  }

  /** Tokens held (non-zero balances) by contract. */
  tokensOf(address: string): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const [k, v] of this.tokenBal) {
      const [c, a] = k.split("|");
      if (a === address && v !== 0n && !c!.startsWith("trc10:")) out.set(c!, v);
    }
    return out;
  }

  trc10Of(address: string): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const [k, v] of this.tokenBal) {
      const [c, a] = k.split("|");
      if (a === address && v !== 0n && c!.startsWith("trc10:")) out.set(c!.slice(6), v);
    }
    return out;
  }

  createdAt(address: string): number | undefined {
    return this.created.get(address);
  }

  /** A TRC-20 contract; `contract` may be a real address (USDT) or is derived from the name. */
  addToken(t: Omit<TronToken, "contract"> & { contract?: string }): TronToken {
    const token = {
      ...t,
      contract: t.contract ?? this.address(`token:${t.name}:${t.symbol}:${this.nonce++}`),
    };
    this.tokens.set(token.contract, token);
    this.touch(token.contract);
    return token;
  }

  /** A TRC-10 token; its owner holds the whole `supply`. */
  addTrc10(t: Omit<Trc10, "id"> & { id?: string; supply: bigint }): Trc10 {
    const { supply, ...rest } = t;
    const token = { ...rest, id: t.id ?? String(1_000_001 + this.trc10.size) };
    this.trc10.set(token.id, token);
    this.moveToken(`trc10:${token.id}`, null, token.owner, supply);
    return token;
  }

  /** A deployed contract's address (it holds and pays TRX like any account). */
  addContract(name: string): string {
    const a = this.address(`contract:${name}`);
    this.touch(a);
    return a;
  }

  tx(id: string): DevTx | undefined {
    return this.txs.get(id);
  }

  allTxs(): DevTx[] {
    return this.blocks.flatMap((b) => b.txs);
  }

  // -------------------------------------------------------------- transactions

  /** TRX from `from` to `to` (TransferContract); 1 TRX more in fees when `to` is a new account. */
  sendTrx(from: string, to: string, amount: bigint, o: { freeBandwidth?: boolean } = {}): string {
    const value = { owner_address: tronHex(from), to_address: tronHex(to), amount: int64(amount, "amount") };
    const tx = this.build(from, "TransferContract", value, [from, to]);
    const activate = !this.created.has(to);
    this.bandwidth(tx, o.freeBandwidth ?? false, activate);
    this.debit(from, amount + tx.fee, tx);
    this.credit(to, amount);
    return this.queue(tx);
  }

  /** A TRC-10 transfer (TransferAssetContract). */
  sendTrc10(from: string, to: string, id: string, amount: bigint): string {
    if (!this.trc10.has(id)) throw new Error(`unknown TRC-10 ${id}`);
    const value = {
      asset_name: id,
      owner_address: tronHex(from),
      to_address: tronHex(to),
      amount: int64(amount, "amount"),
    };
    const tx = this.build(from, "TransferAssetContract", value, [from, to]);
    this.bandwidth(tx, false, !this.created.has(to));
    this.debit(from, tx.fee, tx);
    this.moveToken(`trc10:${id}`, from, to, amount);
    this.credit(to, 0n);
    return this.queue(tx);
  }

  /** Mints `value` of a TRC-20 to `to` (a call by `issuer`, logging Transfer from the zero address). */
  mintToken(token: TronToken, issuer: string, to: string, value: bigint): string {
    const data = calldata("40c10f19", [addrWord(to), valueWord(value)]);
    return this.trigger(issuer, token.contract, data, 0n, {
      logs: () => [this.transferLog(token, TRON_ZERO, to, value)],
      apply: () => this.moveToken(token.contract, null, to, value),
    });
  }

  /** transfer(to, value) on a TRC-20; `revert` makes the call fail (no log, the energy used is still burned). */
  sendToken(token: TronToken, from: string, to: string, value: bigint, o: { revert?: boolean } = {}): string {
    const data = calldata(SEL_TRANSFER, [addrWord(to), valueWord(value)]);
    return this.trigger(from, token.contract, data, 0n, {
      revert: o.revert,
      logs: () => [this.transferLog(token, from, to, value)],
      apply: () => this.moveToken(token.contract, from, to, value),
    });
  }

  /** Several transfers in one call: one Transfer log each, in order. */
  multiTransfer(token: TronToken, from: string, moves: [string, bigint][]): string {
    const data = calldata(
      SEL_MULTI,
      moves.flatMap(([to, v]) => [addrWord(to), valueWord(v)]),
    );
    return this.trigger(from, token.contract, data, 0n, {
      logs: () => moves.map(([to, v]) => this.transferLog(token, from, to, v)),
      apply: () => {
        for (const [to, v] of moves) this.moveToken(token.contract, from, to, v);
      },
    });
  }

  /** approve(spender, value): an Approval log, no value moves. */
  approve(token: TronToken, owner: string, spender: string, value: bigint): string {
    const data = calldata(SEL_APPROVE, [addrWord(spender), valueWord(value)]);
    return this.trigger(owner, token.contract, data, 0n, {
      logs: () => [
        {
          address: tronHex(token.contract).slice(2),
          topics: [APPROVAL_TOPIC, addrWord(owner), addrWord(spender)],
          data: valueWord(value),
        },
      ],
      apply: () => {},
    });
  }

  /**
   * A call carrying `callValue` TRX to `contract`, which pays `payouts` out as internal transfers
   * (a splitter). With `revert`, nothing moves: the internal frames are rejected, the fee is burned.
   */
  callWithValue(
    from: string,
    contract: string,
    callValue: bigint,
    payouts: [string, bigint][],
    o: { revert?: boolean } = {},
  ): string {
    const data = calldata(
      "6a627842",
      payouts.map(([to]) => addrWord(to)),
    );
    return this.trigger(from, contract, data, callValue, {
      revert: o.revert,
      internals: payouts,
      logs: () => [],
      apply: () => {
        this.credit(contract, callValue);
        for (const [to, v] of payouts) {
          this.debit(contract, v);
          this.credit(to, v);
        }
      },
    });
  }

  /** Stake 2.0 freeze: no value moves to anyone (liquid balance goes to frozen). */
  freeze(from: string, amount: bigint): string {
    const value = { owner_address: tronHex(from), frozen_balance: amount, resource: "ENERGY" };
    const tx = this.build(from, "FreezeBalanceV2Contract", value, [from]);
    this.bandwidth(tx, false, false);
    this.debit(from, amount + tx.fee, tx);
    return this.queue(tx);
  }

  /** Seals the pending transactions into the next block; `skipSlots` leaves that many 3 s slots empty. */
  mine(o: { skipSlots?: number } = {}): DevBlock {
    const prev = this.head;
    const b = this.seal(prev.number + 1, prev.timestamp + 3000 * (1 + (o.skipSlots ?? 0)), this.pending);
    this.pending = [];
    this.blocks.push(b);
    return b;
  }

  /** Mines `n` empty blocks. */
  mineEmpty(n: number): void {
    for (let i = 0; i < n; i++) this.mine();
  }

  // -------------------------------------------------------------- the ledger

  /** What the adapters must report for `address`: every value move touching it, in chain order. */
  expected(address: string): AccountTransfer[] {
    const rows: AccountTransfer[] = [];
    for (const b of this.blocks) for (const t of b.txs) rows.push(...this.rowsOf(t, address));
    return rows.sort(compareTransfers);
  }

  private rowsOf(t: DevTx, a: string): AccountTransfer[] {
    const place = {
      chain: "tron",
      txid: t.txID,
      blockNumber: t.block,
      blockHash: null,
      blockTime: Math.floor(t.timestamp / 1000),
      txIndex: t.index,
      logIndex: null,
      traceAddress: null,
    };
    const ok = t.contractRet === "SUCCESS";
    const rows: AccountTransfer[] = [];
    const v = t.rawData.contract[0]!.parameter.value;
    const trx = (
      kind: AccountTransfer["kind"],
      seq: number,
      from: string,
      to: string | null,
      value: bigint,
      success: boolean,
      asset: { asset: string; symbol: string | null; decimals: number | null } = TRX,
    ) => rows.push({ ...place, kind, seq, from, to, ...asset, value, success });
    if (t.type === "TransferContract") {
      const to = this.b58(v.to_address);
      if (t.owner === a || to === a) trx("native", 0, t.owner, to, BigInt(v.amount!), ok);
    } else if (t.type === "TransferAssetContract") {
      const to = this.b58(v.to_address);
      if (t.owner === a || to === a)
        trx("native", 0, t.owner, to, BigInt(v.amount!), ok, this.trc10Asset(String(v.asset_name)));
    } else if (t.type === "TriggerSmartContract") {
      const callValue = BigInt(v.call_value ?? 0);
      if (callValue > 0n && (t.owner === a || t.contract === a))
        trx("native", 0, t.owner, t.contract!, callValue, ok);
    }
    let seq = 0;
    for (const i of t.internals) {
      if (i.callValue === 0n) continue;
      if (i.from === a || i.to === a) trx("internal", seq, i.from, i.to, i.callValue, ok && !i.rejected);
      seq++;
    }
    t.logs.forEach((l, logIndex) => {
      if (l.topics[0] !== TRANSFER_TOPIC || l.topics.length !== 3) return;
      const token = this.tokens.get(tronBase58(Buffer.from(l.address, "hex")))!;
      const from = tronBase58(Buffer.from(l.topics[1]!.slice(24), "hex"));
      const to = tronBase58(Buffer.from(l.topics[2]!.slice(24), "hex"));
      if (from !== a && to !== a) return;
      rows.push({
        ...place,
        logIndex,
        kind: "token",
        seq: logIndex,
        from,
        to,
        asset: token.contract,
        symbol: token.symbol,
        decimals: token.decimals,
        value: BigInt(`0x${l.data}`),
        success: true,
      });
    });
    if (t.owner === a && t.fee > 0n) trx("fee", 0, a, null, t.fee, true);
    return rows;
  }

  trc10Asset(id: string): { asset: string; symbol: string; decimals: number } {
    const t = this.trc10.get(id)!;
    return { asset: `trc10:${id}`, symbol: t.abbr, decimals: t.precision };
  }

  private b58(hex41: string | number | bigint | undefined): string {
    return tronBase58(Buffer.from(String(hex41), "hex"));
  }

  // -------------------------------------------------------------- internals

  private touch(a: string): void {
    this.accounts.add(a);
    if (!this.created.has(a)) this.created.set(a, this.head?.timestamp ?? 0);
  }

  private credit(a: string, v: bigint): void {
    this.trx.set(a, (this.trx.get(a) ?? 0n) + v);
    this.touch(a);
  }

  private debit(a: string, v: bigint, tx?: DevTx): void {
    const have = this.trx.get(a) ?? 0n;
    if (have < v) throw new Error(`${a} has ${have} sun, needs ${v}${tx ? ` for ${tx.type}` : ""}`);
    this.trx.set(a, have - v);
  }

  private moveToken(key: string, from: string | null, to: string, v: bigint): void {
    if (from !== null) {
      const k = `${key}|${from}`;
      const have = this.tokenBal.get(k) ?? 0n;
      if (have < v) throw new Error(`${from} holds ${have} of ${key}, needs ${v}`);
      this.tokenBal.set(k, have - v);
    }
    this.tokenBal.set(`${key}|${to}`, (this.tokenBal.get(`${key}|${to}`) ?? 0n) + v);
    this.touch(to);
  }

  private transferLog(token: TronToken, from: string, to: string, value: bigint): DevLog {
    const address = tronHex(token.contract).slice(2);
    if (token.unindexed)
      return { address, topics: [TRANSFER_TOPIC], data: addrWord(from) + addrWord(to) + valueWord(value) };
    return { address, topics: [TRANSFER_TOPIC, addrWord(from), addrWord(to)], data: valueWord(value) };
  }

  private build(
    owner: string,
    type: RawContractJson["type"],
    value: RawContractJson["parameter"]["value"],
    parties: string[],
    feeLimit?: number,
  ): DevTx {
    const head = this.head;
    const created = head.timestamp + 1500 + (this.nonce++ % 1000);
    const rawData: RawDataJson = {
      contract: [{ parameter: { value, type_url: `type.googleapis.com/protocol.${type}` }, type }],
      ref_block_bytes: (head.number & 0xffff).toString(16).padStart(4, "0"),
      ref_block_hash: head.blockID.slice(16, 32),
      expiration: created + 60_000,
      ...(feeLimit ? { fee_limit: feeLimit } : {}),
      timestamp: created,
    };
    const { rawDataHex, txID } = txIdOf(rawData);
    if (this.txs.has(txID)) throw new Error(`duplicate transaction ${txID}`);
    const sig = sha256Hex(`${this.seed}:sig:${txID}`) + sha256Hex(`${this.seed}:sig2:${txID}`);
    return {
      txID,
      type,
      rawData,
      rawDataHex,
      signature: `${sig}1b`,
      owner,
      parties: [...new Set(parties)],
      contractRet: "SUCCESS",
      fee: 0n,
      netUsage: 0,
      netFee: 0n,
      energyUsage: 0,
      energyFee: 0n,
      energyUsageTotal: 0,
      logs: [],
      internals: [],
      block: -1,
      index: -1,
      timestamp: 0,
    };
  }

  /** Bandwidth: the transaction's bytes, burned at 1,000 sun each unless staked/free; activation costs 1.1 TRX. */
  private bandwidth(tx: DevTx, free: boolean, activate: boolean): void {
    const bytes = tx.rawDataHex.length / 2 + 65 + 3;
    if (activate) {
      tx.netFee = 100_000n;
      tx.fee = CREATE_ACCOUNT_FEE + tx.netFee;
    } else if (free) {
      tx.netUsage = bytes;
    } else {
      tx.netFee = BigInt(bytes) * BANDWIDTH_PRICE;
      tx.fee = tx.netFee;
    }
  }

  private trigger(
    from: string,
    contract: string,
    data: string,
    callValue: bigint,
    o: { revert?: boolean; logs: () => DevLog[]; apply: () => void; internals?: [string, bigint][] },
  ): string {
    const value: Record<string, string | bigint> = {
      data,
      owner_address: tronHex(from),
      contract_address: tronHex(contract),
    };
    if (callValue > 0n) value.call_value = int64(callValue, "call_value");
    const tx = this.build(from, "TriggerSmartContract", value, [from, contract], 150_000_000);
    tx.contract = contract;
    this.bandwidth(tx, false, false);
    const energy = o.revert ? 5_000 : 14_650 + 15_000 * (o.internals?.length ?? 0);
    tx.energyUsageTotal = energy;
    tx.energyFee = BigInt(energy) * ENERGY_PRICE;
    tx.fee += tx.energyFee;
    this.debit(from, tx.fee, tx);
    tx.internals = (o.internals ?? []).map(([to, v], i) => ({
      hash: sha256Hex(`${tx.txID}:internal:${i}`),
      from: contract,
      to,
      callValue: v,
      rejected: o.revert === true,
    }));
    if (o.revert) {
      tx.contractRet = "REVERT";
    } else {
      this.debit(from, callValue, tx);
      o.apply();
      tx.logs = o.logs();
    }
    return this.queue(tx);
  }

  private queue(tx: DevTx): string {
    this.touch(tx.owner);
    this.txs.set(tx.txID, tx);
    this.pending.push(tx);
    return tx.txID;
  }

  private seal(number: number, timestamp: number, txs: DevTx[]): DevBlock {
    txs.forEach((t, i) => {
      t.block = number;
      t.index = i;
      t.timestamp = timestamp;
    });
    const parentHash = number === 0 ? "0".repeat(64) : this.head.blockID;
    const txTrieRoot = txs.length ? sha256Hex(txs.map((t) => t.txID).join("")) : "0".repeat(64);
    const witness = tronHex(this.address(`witness:${number % 27}`));
    const blockID = blockIdOf({
      number,
      txTrieRoot,
      witness_address: witness,
      parentHash,
      version: 31,
      timestamp,
    });
    return { number, timestamp, blockID, parentHash, txTrieRoot, witness, txs };
  }
}
