import type { AccountTransfer, SpentBy, TransferKind, UtxoTx } from "../src/domain.ts";
import type { RequestCounter } from "./http.ts";

/**
 * The chain-source contract every adapter implements: a handful of methods, one factory per source.
 * Adapters map upstream formats to the store's models; they never touch the store themselves.
 */
export interface Tip {
  height: number;
  hash: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next (older) page; null when the history is exhausted. */
  next: string | null;
  /** On the first page only: unconfirmed transactions the source returned with it. */
  mempool?: T[];
}

interface SourceBase {
  /** Stable name used for sync cursors and stored responses, e.g. "esplora". */
  readonly id: string;
  readonly chain: string;
  /** Upstream requests made through this source (shared with the HTTP layer). */
  readonly counter: RequestCounter;
  tip(): Promise<Tip>;
  /** Block hash at a height on the source's current best chain, null above the tip. */
  blockHash(height: number): Promise<string | null>;
}

export interface UtxoSource extends SourceBase {
  readonly model: "utxo";
  /**
   * Confirmed history, newest first; `cursor` is the last txid of the previous page (null for the
   * first page, which also carries the unconfirmed transactions in `mempool`: one request).
   */
  addressHistory(address: string, cursor: string | null): Promise<Page<UtxoTx>>;
  /** Unconfirmed transactions touching the address. */
  addressMempool(address: string): Promise<UtxoTx[]>;
  /** One transaction, or null when the source does not know it. */
  transaction(txid: string): Promise<UtxoTx | null>;
  /** Per output: the spending input, or null when unspent. Null when the tx is unknown. */
  outspends(txid: string): Promise<(SpentBy | null)[] | null>;
}

export interface BlockRange {
  fromBlock: number;
  toBlock: number;
}

/** Part of a history a source could not cover (e.g. internal transfers on a node without tracing). */
export interface SourceGap {
  address: string;
  fromBlock: number;
  toBlock: number;
  kinds: TransferKind[];
  reason: string;
}

export interface AccountSource extends SourceBase {
  readonly model: "account";
  /**
   * Every native, internal, token transfer and fee touching the address within the block range,
   * in chain order (block, tx index, kind native < internal < token < fee, seq).
   */
  transfers(address: string, range: BlockRange): Promise<AccountTransfer[]>;
  /** Gaps left by transfers() calls so far; absent when the source never leaves any. */
  readonly gaps?: readonly SourceGap[];
}

export type ChainSource = UtxoSource | AccountSource;
