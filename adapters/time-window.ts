/**
 * A time window (`--since/--until`) as adapters honour it: rows filtered by their block time, and on
 * account chains the block range narrowed to the blocks the window can touch, so upstream is asked
 * for as little outside it as the source allows. Block times never decrease with height on EVM and
 * Tron chains, so the first block at or after a time is found by binary search over block times
 * (or the source's own lookup, e.g. Etherscan's getblocknobytime).
 */
import type { AccountTransfer, UtxoTx } from "../src/domain.ts";
import type { BlockRange, Page, TimeWindow } from "./source.ts";

/** A window that restricts something (undefined or both ends open: none). */
export function activeWindow(w: TimeWindow | undefined): TimeWindow | undefined {
  return w && (w.since !== null || w.until !== null) ? w : undefined;
}

/** Whether a block time lies in the window; an unknown time (unconfirmed) only in one with no end. */
export function inWindow(time: number | null, w: TimeWindow): boolean {
  if (time === null) return w.until === null;
  return (w.since === null || time >= w.since) && (w.until === null || time <= w.until);
}

/** The transfers of transactions whose block time lies in the window. */
export function transfersInWindow(rows: AccountTransfer[], w: TimeWindow | undefined): AccountTransfer[] {
  const a = activeWindow(w);
  return a ? rows.filter((r) => inWindow(r.blockTime, a)) : rows;
}

/**
 * How far out of order Bitcoin block times may run: a block's time may be up to two hours ahead of
 * the network's, and the next block's need only pass the median of the eleven before it.
 */
export const UTXO_TIME_DISORDER_S = 3 * 3600;

/**
 * One page of a newest-first UTXO history cut to a window: its transactions in the window, the
 * unconfirmed ones only when the window has no end, and no next page once a transaction lies far
 * enough before the window's start that no older block can be inside it.
 */
export function utxoPageInWindow(page: Page<UtxoTx>, w: TimeWindow | undefined): Page<UtxoTx> {
  const a = activeWindow(w);
  if (!a) return page;
  const oldest = page.items[page.items.length - 1]?.block?.time;
  const past = a.since !== null && oldest !== undefined && oldest < a.since - UTXO_TIME_DISORDER_S;
  return {
    items: page.items.filter((t) => t.block !== null && inWindow(t.block.time, a)),
    next: past ? null : page.next,
    ...(page.mempool ? { mempool: a.until === null ? page.mempool : [] } : {}),
  };
}

/** What a source offers to find blocks by time. */
export interface BlockClock {
  tipHeight(): Promise<number>;
  /** A block's time in Unix seconds. */
  blockTime(height: number): Promise<number>;
  /** The source's own lookup of the first block at or after a time; null when it cannot say. */
  firstBlockAtOrAfter?(time: number): Promise<number | null>;
}

/**
 * The blocks a time window can touch: `narrow(range, window)` is the part of the range they cover
 * (null: none). Answers are kept for the source's life; they stay true as the chain grows.
 */
export class WindowBlocks {
  /** Found first blocks by time (a "none yet" is not kept: the chain grows). */
  private readonly known = new Map<number, Promise<number | null>>();

  constructor(private readonly clock: BlockClock) {}

  private first(time: number): Promise<number | null> {
    let p = this.known.get(time);
    if (!p) {
      p = (async () => (await this.clock.firstBlockAtOrAfter?.(time)) ?? this.search(time))();
      this.known.set(time, p);
      p.then(
        (b) => b === null && this.known.delete(time),
        () => this.known.delete(time),
      );
    }
    return p;
  }

  /** First block whose time is at or after `time`, by binary search; null when no block is yet. */
  private async search(time: number): Promise<number | null> {
    const tip = await this.clock.tipHeight();
    if ((await this.clock.blockTime(tip)) < time) return null;
    let lo = 0;
    let hi = tip;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await this.clock.blockTime(mid)) >= time) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  async narrow(range: BlockRange, w: TimeWindow | undefined): Promise<BlockRange | null> {
    const a = activeWindow(w);
    if (!a) return range;
    let { fromBlock, toBlock } = range;
    if (a.since !== null) {
      const f = await this.first(a.since);
      // no block at or after `since` yet: nothing of the range (it is below the tip) lies in the window
      if (f === null) return null;
      fromBlock = Math.max(fromBlock, f);
    }
    if (a.until !== null && fromBlock <= toBlock) {
      // the last block at or before `until` is the one before the first after it (none yet: no bound)
      const after = await this.first(a.until + 1);
      if (after !== null) toBlock = Math.min(toBlock, after - 1);
    }
    return fromBlock <= toBlock ? { fromBlock, toBlock } : null;
  }
}
