import type { AccountTransfer, SpentBy, TransferKind, UtxoTx } from "../src/domain.ts";
import type { RequestCounter } from "./transport.ts";

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

/** A window of block times in Unix seconds, both ends included; null leaves that end open. */
export interface TimeWindow {
  since: number | null;
  until: number | null;
}

/** What a history fetch may be asked besides its address and range. */
export interface FetchOptions {
  /**
   * Only transactions whose block time lies in the window (a windowed ingest): every adapter honours
   * it, asking upstream for as little outside it as the source allows. Unconfirmed transactions have
   * no block time: they come only when the window has no end.
   */
  window?: TimeWindow;
}

interface SourceBase {
  /** Stable name used for sync cursors and stored responses, e.g. "esplora". */
  readonly id: string;
  readonly chain: string;
  /** Upstream requests made through this source: requests, retries, cache hits, failures. */
  readonly counter: RequestCounter;
  tip(): Promise<Tip>;
  /** Block hash at a height on the source's current best chain, null above the tip. */
  blockHash(height: number): Promise<string | null>;
  /** Frees the source's connections; later calls fail without asking upstream. Safe to call twice. */
  close(): Promise<void>;
}

export interface UtxoSource extends SourceBase {
  readonly model: "utxo";
  /**
   * Confirmed history, newest first; `cursor` is the last txid of the previous page (null for the
   * first page, which also carries the unconfirmed transactions in `mempool`: one request). With a
   * window, a page holds only the transactions in it (possibly none) and `next` is null once the pages
   * have gone past its start.
   */
  addressHistory(address: string, cursor: string | null, opts?: FetchOptions): Promise<Page<UtxoTx>>;
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

/** The one wording of a gap, shared by CLI and API: "internal transfers unavailable from this node for blocks X–Y". */
export function describeGap(g: SourceGap): string {
  const blocks = g.fromBlock === g.toBlock ? `block ${g.fromBlock}` : `blocks ${g.fromBlock}–${g.toBlock}`;
  return `${g.address}: ${g.kinds.join(" and ")} transfers unavailable from this node for ${blocks} (${g.reason})`;
}

/** Joins gaps of the same address, kinds and reason whose block ranges touch or overlap. */
export function mergeGaps(gaps: readonly SourceGap[]): SourceGap[] {
  const key = (g: SourceGap) => `${g.address}|${g.kinds.join(",")}|${g.reason}`;
  const sorted = [...gaps].sort((a, b) => key(a).localeCompare(key(b)) || a.fromBlock - b.fromBlock);
  const out: SourceGap[] = [];
  for (const g of sorted) {
    const last = out[out.length - 1];
    if (last && key(last) === key(g) && g.fromBlock <= last.toBlock + 1)
      last.toBlock = Math.max(last.toBlock, g.toBlock);
    else out.push({ ...g, kinds: [...g.kinds] });
  }
  return out;
}

/** What a transfers() call is asked besides its range, and reports besides its rows. */
export interface TransfersOptions extends FetchOptions {
  /** Called for each part of the range the source could not cover; rows of that kind are missing there. */
  onGap?(gap: SourceGap): void;
}

export interface AccountSource extends SourceBase {
  readonly model: "account";
  /**
   * Every native, internal, token transfer and fee touching the address within the block range,
   * in chain order (block, tx index, kind native < internal < token < fee, seq). What the source
   * could not see is reported through `opts.onGap`, never silently left out. With `opts.window`, only
   * the transfers of transactions whose block time lies in it.
   */
  transfers(address: string, range: BlockRange, opts?: TransfersOptions): Promise<AccountTransfer[]>;
}

export type ChainSource = UtxoSource | AccountSource;
