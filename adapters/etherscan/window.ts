/**
 * Listing a whole history through a capped API. A list answer holds at most the record window (10,000;
 * 1,000 on Etherscan free keys from 2026-07), so paging is by block windows, never by page number:
 * when an answer is full, the rows of its last block are dropped and the next request starts at that
 * block. When a single block alone fills the window, it is read ascending and descending and the two
 * halves are joined at their overlap; if they do not overlap (more than two windows in one block) the
 * call fails loudly instead of returning a silently truncated history.
 */
import type { EtherscanApi } from "./api.ts";
import type { Action } from "./schemas.ts";

/** Etherscan's record window on paid keys (and Blockscout's page-size maximum). */
export const ETHERSCAN_RECORD_WINDOW = 10_000;
/** Etherscan's record window on free keys from July 2026. */
export const ETHERSCAN_FREE_RECORD_WINDOW = 1_000;
const KNOWN_CAPS = [ETHERSCAN_FREE_RECORD_WINDOW, ETHERSCAN_RECORD_WINDOW];

/** Identity of a list record for joining two halves of one block (confirmations change as the chain grows). */
function recordKey(item: unknown): string {
  const { confirmations: _c, ...rest } = item as Record<string, unknown>;
  return JSON.stringify(rest);
}

const blockOf = (item: unknown) => Number((item as { blockNumber?: string }).blockNumber);

/** Where the descending half of a block starts to repeat the ascending one: the one offset that fits. */
function overlaps(asc: unknown[], desc: unknown[]): number[] {
  const A = asc.map(recordKey);
  const D = desc.map(recordKey);
  const fits: number[] = [];
  for (let k = 0; k < A.length; k++) {
    const n = A.length - k;
    if (n > D.length) continue;
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = A[k + i] === D[i];
    if (ok) fits.push(k);
  }
  return fits;
}

export class RecordLister {
  /** Narrowed when the API says its window is smaller ("… must be less than or equal to 1000"). */
  window: number;

  constructor(
    private readonly api: EtherscanApi,
    window: number,
  ) {
    this.window = window;
  }

  /**
   * A page that may have been cut at the window. Also the usual caps (1,000; 10,000) when the
   * configured window is larger: an API capping below its stated window must not truncate silently.
   */
  private maybeCapped(n: number): boolean {
    return n >= this.window || (n > 0 && KNOWN_CAPS.includes(n));
  }

  /** One list request; "timeout" when the API asks for a smaller query. */
  async page(
    action: Action,
    address: string,
    start: number,
    end: number,
    sort: "asc" | "desc",
  ): Promise<unknown[] | "timeout"> {
    const { api } = this;
    const offset = this.window;
    const params = { address, startblock: start, endblock: end, page: 1, offset, sort };
    const { j, url } = await api.envelope("account", action, params, { store: true });
    if (Array.isArray(j.result)) {
      if (j.result.length > offset)
        throw api.error(
          `${action} returned ${j.result.length} records, more than the window ${offset}`,
          new Error(`${j.result.length} > ${offset}`),
        );
      api.log(`${api.id}: ${url} -> ${j.result.length} record(s)`);
      return j.result as unknown[];
    }
    const cap = /less than or equal to ([0-9]+)/i.exec(typeof j.result === "string" ? j.result : "");
    if (cap && Number(cap[1]) >= 1 && Number(cap[1]) < offset) {
      this.window = Math.min(this.window, Number(cap[1]));
      api.log(`${api.id}: ${url} -> the record window is ${this.window}; asking again`);
      return this.page(action, address, start, end, sort);
    }
    const err = api.envelopeError(action, j);
    if (err !== "timeout") throw err;
    api.log(`${api.id}: ${url} -> query timeout, splitting`);
    return "timeout";
  }

  /** A block that alone fills the window: join its first and last windows at their overlap. */
  private async wholeBlock(action: Action, address: string, block: number, asc: unknown[]) {
    const d = await this.page(action, address, block, block, "desc");
    if (d === "timeout") throw this.timedOut(action, block);
    const desc = [...d].reverse();
    const fits = overlaps(asc, desc);
    if (fits.length !== 1) {
      const w = this.window;
      throw this.api.error(
        fits.length === 0
          ? `${action}: block ${block} holds more than ${2 * w} records for ${address}; the API cannot list them all`
          : `${action}: block ${block} fills the ${w}-record window with records that cannot be told apart`,
        new Error(`${fits.length} overlaps between the ascending and descending halves of block ${block}`),
      );
    }
    return [...asc.slice(0, fits[0]), ...desc];
  }

  private timedOut(action: Action, block: number) {
    return this.api.error(
      `${action}: block ${block} times out`,
      new Error("query timeout on a single block"),
    );
  }

  /** Every record of `action` for the address in [from, to], in block order, never truncated. */
  async all(action: Action, address: string, from: number, to: number, stop: { now: boolean }) {
    const out: unknown[] = [];
    const todo: [number, number][] = [[from, to]];
    while (todo.length > 0) {
      // A sibling list failed: the whole call fails, so stop asking.
      if (stop.now) throw this.api.error(`${action}: cancelled`, new Error("a sibling listing failed"));
      const [s, e] = todo.shift()!;
      const page = await this.page(action, address, s, e, "asc");
      if (page === "timeout") {
        if (s === e) throw this.timedOut(action, s);
        const m = Math.floor((s + e) / 2);
        todo.unshift([s, m], [m + 1, e]);
        continue;
      }
      let prev = s;
      for (const item of page) {
        const b = blockOf(item);
        if (!Number.isInteger(b) || b < prev || b > e)
          throw this.api.error(
            `${action}: records out of block order or range ${s}-${e}`,
            new Error(`block ${b}`),
          );
        prev = b;
      }
      if (!this.maybeCapped(page.length)) {
        out.push(...page);
        continue;
      }
      const last = blockOf(page[page.length - 1]);
      if (last > s) {
        // The last block may be cut short: keep what precedes it and ask again from it.
        out.push(...page.filter((i) => blockOf(i) < last));
        todo.unshift([last, e]);
        continue;
      }
      out.push(...(await this.wholeBlock(action, address, s, page)));
      if (s < e) todo.unshift([s + 1, e]);
    }
    return out;
  }
}
