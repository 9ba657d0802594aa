/**
 * Ranged calls (eth_getLogs, trace_filter) split until the node accepts each piece. When a node refuses
 * a range ("query returned more than 10000 results", "block range too large", …) the span is narrowed:
 * to the range the node suggests, else by binary search between the widest span accepted and the
 * narrowest refused. What each method is known to accept is kept across calls, so the second address
 * starts at the span the first one found.
 */

import { UpstreamError } from "../../src/errors.ts";
import { toHex } from "../evm/encoding.ts";
import { isRangeRefusal } from "./provider.ts";

/** A node's hint such as "Try with this block range [0x1, 0x2]." */
function suggestedRange(msg: string): [number, number] | undefined {
  const m = /\[\s*(0x[0-9a-fA-F]+|[0-9]+)\s*,\s*(0x[0-9a-fA-F]+|[0-9]+)\s*\]/.exec(msg);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

interface Span {
  /** Widest span answered. */
  ok: number;
  /** Narrowest span refused. */
  bad: number;
}

/** Nothing refused yet: ask for everything. Else binary search between the widest accepted and the narrowest refused. */
function nextSpan(s: Span): number {
  if (s.bad === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (s.ok + 1 >= s.bad) return s.ok;
  return s.ok === 0 ? s.bad - 1 : Math.floor((s.ok + s.bad) / 2);
}

export class RangedCalls {
  private readonly spans = new Map<string, Span>();

  constructor(
    private readonly source: string,
    private readonly call: <T>(method: string, params: unknown[]) => Promise<T>,
    private readonly maxBlockRange: number | undefined,
    private readonly log: (line: string) => void,
  ) {}

  private span(method: string): Span {
    let s = this.spans.get(method);
    if (!s) {
      s = { ok: 0, bad: this.maxBlockRange ? this.maxBlockRange + 1 : Number.POSITIVE_INFINITY };
      this.spans.set(method, s);
    }
    return s;
  }

  async all<T>(method: string, filter: Record<string, unknown>, from: number, to: number): Promise<T[]> {
    const s = this.span(method);
    const out: T[] = [];
    let start = from;
    let forced: number | undefined;
    while (start <= to) {
      const end = Math.min(to, start + Math.max(1, forced ?? nextSpan(s)) - 1);
      forced = undefined;
      const tried = end - start + 1;
      try {
        out.push(
          ...(await this.call<T[]>(method, [{ ...filter, fromBlock: toHex(start), toBlock: toHex(end) }])),
        );
        s.ok = Math.max(s.ok, tried);
        start = end + 1;
      } catch (e) {
        if (!isRangeRefusal(e)) throw e;
        if (tried === 1)
          throw new UpstreamError(
            this.source,
            `${method}: the node refuses even block ${start}: ${e.rpcMessage}`,
            {
              cause: e,
            },
          );
        // Refused at or below a span accepted elsewhere: results are dense here, the old bound is moot.
        if (tried <= s.ok) s.ok = 0;
        s.bad = Math.min(s.bad, tried);
        const hint = suggestedRange(e.rpcMessage);
        if (hint && hint[0] === start && hint[1] >= start && hint[1] < end) forced = hint[1] - start + 1;
        else if (s.ok === 0) forced = Math.floor(tried / 2);
        this.log(
          `${this.source}: ${method} ${start}-${end} refused (${e.rpcMessage}); narrowing the block range`,
        );
      }
    }
    return out;
  }
}
