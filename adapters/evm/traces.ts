/**
 * Call traces in one shape, from any node dialect: Parity/OpenEthereum `trace_*` (Erigon, Nethermind,
 * Reth, anvil), Geth's `debug_traceTransaction` with the callTracer, or struct logs (./struct-logs.ts).
 */
import { hexToBigInt } from "./encoding.ts";

export interface FlatTrace {
  /** Path from the top-level call (empty) through the nested calls: [0, 1] is "0_1". */
  traceAddress: number[];
  /** A plain CALL (not DELEGATECALL/STATICCALL/CALLCODE): the only frames that move the caller's value. */
  call: boolean;
  create: boolean;
  from: string;
  /** Callee, or the created contract. */
  to: string | null;
  value: bigint;
  /** This frame or one of its ancestors reverted: none of its value moved. */
  reverted: boolean;
}

export interface ParityTrace {
  action: { from: string; to?: string; value?: string; callType?: string };
  result?: { address?: string } | null;
  error?: string;
  traceAddress: number[];
  transactionHash: string;
  transactionPosition?: number;
  blockNumber: number;
  type: string;
}

export interface CallFrame {
  type: string;
  from: string;
  to?: string;
  value?: string;
  error?: string;
  calls?: CallFrame[];
}

export const traceId = (t: { traceAddress: number[] }): string => t.traceAddress.join("_");

/** Depth-first (trace) order: compares trace addresses element by element, parents first. */
export function compareTraceAddress(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** One transaction's Parity traces → FlatTrace in trace order, with reverts passed down to children. */
export function fromParity(traces: ParityTrace[]): FlatTrace[] {
  const sorted = [...traces].sort((x, y) => compareTraceAddress(x.traceAddress, y.traceAddress));
  const failed = new Set<string>();
  return sorted.map((t) => {
    const id = traceId(t);
    const parent = t.traceAddress.some((_, i) => failed.has(t.traceAddress.slice(0, i).join("_")));
    if (t.error || parent) failed.add(id);
    const create = t.type === "create";
    return {
      traceAddress: t.traceAddress,
      call: t.type === "call" && (t.action.callType ?? "call") === "call",
      create,
      from: t.action.from.toLowerCase(),
      to: (create ? t.result?.address : t.action.to)?.toLowerCase() ?? null,
      value: hexToBigInt(t.action.value ?? "0x0"),
      reverted: failed.has(id),
    };
  });
}

/** A callTracer tree → FlatTrace in trace order. */
export function fromCallTracer(root: CallFrame): FlatTrace[] {
  const out: FlatTrace[] = [];
  const walk = (f: CallFrame, path: number[], parentReverted: boolean) => {
    const type = f.type.toUpperCase();
    const reverted = parentReverted || Boolean(f.error);
    out.push({
      traceAddress: path,
      call: type === "CALL",
      create: type === "CREATE" || type === "CREATE2",
      from: f.from.toLowerCase(),
      to: f.to?.toLowerCase() ?? null,
      value: f.value ? hexToBigInt(f.value) : 0n,
      reverted,
    });
    (f.calls ?? []).forEach((c, i) => {
      walk(c, [...path, i], reverted);
    });
  };
  walk(root, [], false);
  return out;
}

/** The value-carrying CALLs below the top level, in trace order: the internal transfers of a transaction. */
export const valueCalls = (flat: FlatTrace[]): FlatTrace[] =>
  flat.filter((t) => t.traceAddress.length > 0 && t.call && t.value > 0n);
