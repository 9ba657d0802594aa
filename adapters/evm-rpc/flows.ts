/**
 * Which transactions move native value to or from an address, two ways:
 * - `trace_filter` (fromAddress, then toAddress) when the node has it: top-level calls and the
 *   transactions holding value-carrying internal calls;
 * - without it, a bounded scan of the blocks: top-level transactions from the blocks themselves, internal
 *   calls from `debug_traceTransaction` with the callTracer. A node that answers struct logs instead (as
 *   ganache does) is read from the struct logs; what cannot be read is reported as a gap, and a node
 *   without any tracing leaves a gap over the whole range.
 */
import { BadInputError, UpstreamError } from "../../src/errors.ts";
import { hexToBigInt, hexToNumber, toHex } from "../evm/encoding.ts";
import { fromStructLogs, isStructLogAnswer } from "../evm/struct-logs.ts";
import {
  type CallFrame,
  type FlatTrace,
  fromCallTracer,
  type ParityTrace,
  valueCalls,
} from "../evm/traces.ts";
import type { SourceGap } from "../source.ts";
import type { RpcLookups } from "./lookups.ts";
import { isUnsupported } from "./provider.ts";
import type { RangedCalls } from "./ranged.ts";

/** A transaction the address takes part in at the top level. */
export interface TopLevel {
  hash: string;
  blockNumber: number;
  txIndex: number;
  from: string;
  /** Callee, or the created contract (null until the receipt says which). */
  to: string | null;
  value: bigint;
}

/** A transaction with value-carrying internal calls touching the address (its trace when already read). */
export interface InternalTx {
  blockNumber: number;
  txIndex: number;
  flat?: FlatTrace[];
}

export interface Flows {
  top: Map<string, TopLevel>;
  internal: Map<string, InternalTx>;
}

interface RpcTx {
  hash: string;
  from: string;
  to: string | null;
  value: string;
  transactionIndex: string;
}

type Call = <T>(method: string, params: unknown[]) => Promise<T>;

export async function viaTraceFilter(
  a: string,
  from: number,
  to: number,
  ranged: RangedCalls,
  look: RpcLookups,
) {
  const [sent, received] = await Promise.all([
    ranged.all<ParityTrace>("trace_filter", { fromAddress: [a] }, from, to),
    ranged.all<ParityTrace>("trace_filter", { toAddress: [a] }, from, to),
  ]);
  const flows: Flows = { top: new Map(), internal: new Map() };
  for (const t of [...sent, ...received]) {
    const hash = t.transactionHash?.toLowerCase();
    if (!hash || t.type === "reward") continue;
    const txIndex = t.transactionPosition ?? hexToNumber((await look.receipt(hash)).transactionIndex);
    const value = hexToBigInt(t.action.value ?? "0x0");
    if (t.traceAddress.length === 0) {
      const callee = t.type === "create" ? t.result?.address : t.action.to;
      flows.top.set(hash, {
        hash,
        blockNumber: t.blockNumber,
        txIndex,
        from: t.action.from.toLowerCase(),
        to: callee?.toLowerCase() ?? null,
        value,
      });
    } else if (t.type === "call" && (t.action.callType ?? "call") === "call" && value > 0n) {
      flows.internal.set(hash, { blockNumber: t.blockNumber, txIndex });
    }
  }
  return flows;
}

/** What debug_traceTransaction gave for one transaction. */
type DebugTrace = { flat: FlatTrace[] } | { unreadable: string } | "unsupported";

const isCallFrame = (v: unknown): v is CallFrame =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as CallFrame).type === "string" &&
  typeof (v as CallFrame).from === "string";

/** Internal calls of one transaction from debug_traceTransaction, whatever shape the node answers in. */
export async function debugTrace(call: Call, look: RpcLookups, t: TopLevel): Promise<DebugTrace> {
  let answer: unknown;
  try {
    answer = await call<unknown>("debug_traceTransaction", [t.hash, { tracer: "callTracer" }]);
  } catch (e) {
    if (isUnsupported(e)) return "unsupported";
    throw e;
  }
  if (isCallFrame(answer)) return { flat: fromCallTracer(answer) };
  if (!isStructLogAnswer(answer))
    return { unreadable: "debug_traceTransaction answered in an unknown shape" };
  const to = t.to ?? (await look.receipt(t.hash)).contractAddress?.toLowerCase();
  if (!to) return { unreadable: "a contract creation without a created address" };
  // No steps: fine for a call to an account without code, a node that did not record steps otherwise.
  if (answer.structLogs.length === 0 && (t.to === null || (await look.hasCode(`${to}@${t.blockNumber}`))))
    return { unreadable: "debug_traceTransaction answered struct logs without steps" };
  const r = fromStructLogs({ from: t.from, to, value: t.value, create: t.to === null }, answer);
  return "flat" in r ? r : { unreadable: `debug_traceTransaction answered struct logs: ${r.unreadable}` };
}

/** Consecutive blocks with the same reason → gaps. */
function gapsOf(a: string, blocks: Map<number, string>): SourceGap[] {
  const out: SourceGap[] = [];
  for (const [n, reason] of [...blocks].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && last.reason === reason && last.toBlock === n - 1) last.toBlock = n;
    else out.push({ address: a, fromBlock: n, toBlock: n, kinds: ["internal"], reason });
  }
  return out;
}

export class BlockScan {
  /** Known once the first transaction was traced: false when the node has no debug_traceTransaction. */
  private debugTracing: boolean | undefined;

  constructor(
    private readonly source: string,
    private readonly call: Call,
    private readonly look: RpcLookups,
    private readonly maxScan: number,
    private readonly log: (line: string) => void,
  ) {}

  async flows(a: string, from: number, to: number, onGap: (g: SourceGap) => void): Promise<Flows> {
    if (to - from + 1 > this.maxScan)
      throw new BadInputError(
        `the node has no trace_filter: scanning ${to - from + 1} blocks exceeds the limit of ${this.maxScan}; pass a narrower --from-block/--to-block`,
      );
    const flows: Flows = { top: new Map(), internal: new Map() };
    const unread = new Map<number, string>();
    const CHUNK = 25;
    for (let s = from; s <= to; s += CHUNK) {
      const nums = Array.from({ length: Math.min(CHUNK, to - s + 1) }, (_, i) => s + i);
      const blocks = await Promise.all(
        nums.map((n) =>
          this.call<{ timestamp: string; transactions: RpcTx[] } | null>("eth_getBlockByNumber", [
            toHex(n),
            true,
          ]),
        ),
      );
      await Promise.all(
        blocks.map(async (b, i) => {
          const n = nums[i]!;
          if (!b)
            throw new UpstreamError(this.source, `block ${n} not found`, {
              cause: new Error("eth_getBlockByNumber answered null"),
            });
          this.look.blockTimes.set(n, hexToNumber(b.timestamp));
          await Promise.all(b.transactions.map((tx) => this.transaction(a, n, tx, flows, unread)));
        }),
      );
    }
    if (this.debugTracing === false) {
      onGap({
        address: a,
        fromBlock: from,
        toBlock: to,
        kinds: ["internal"],
        reason: "node has neither trace_filter nor debug_traceTransaction",
      });
      this.log(
        `${this.source}: no tracing on this node; internal transfers of ${a} in ${from}-${to} are missing (gap recorded)`,
      );
    } else {
      for (const g of gapsOf(a, unread)) {
        onGap(g);
        this.log(
          `${this.source}: internal transfers of ${a} in ${g.fromBlock}-${g.toBlock} are missing: ${g.reason}`,
        );
      }
    }
    return flows;
  }

  private async transaction(a: string, n: number, tx: RpcTx, flows: Flows, unread: Map<number, string>) {
    const t: TopLevel = {
      hash: tx.hash.toLowerCase(),
      blockNumber: n,
      txIndex: hexToNumber(tx.transactionIndex),
      from: tx.from.toLowerCase(),
      to: tx.to?.toLowerCase() ?? null,
      value: hexToBigInt(tx.value),
    };
    // A contract creation touches the created address: the receipt says which.
    if (t.from === a || t.to === a || t.to === null) flows.top.set(t.hash, t);
    if (this.debugTracing === false) return;
    const r = await debugTrace(this.call, this.look, t);
    if (r === "unsupported") {
      this.debugTracing = false;
      return;
    }
    this.debugTracing = true;
    if ("unreadable" in r) unread.set(n, r.unreadable);
    else if (valueCalls(r.flat).some((c) => c.from === a || c.to === a))
      flows.internal.set(t.hash, { blockNumber: n, txIndex: t.txIndex, flat: r.flat });
  }
}
