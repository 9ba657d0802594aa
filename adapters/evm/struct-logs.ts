/**
 * Call frames rebuilt from a struct-log trace: what `debug_traceTransaction` answers without a tracer,
 * and what some nodes (ganache) answer even when asked for `tracer: "callTracer"`.
 *
 * Each step has the opcode, the call depth and the stack (top last). A CALL-family step names its
 * target and value on the stack; the next step is either one level deeper (the callee runs) or at the
 * same depth (nothing ran: an account without code, a precompile, or a call that failed at once).
 * Back at the caller's depth, the top of the stack is the call's result: 0 for a failed call, else 1
 * (or the created address for CREATE/CREATE2). A failed frame reverts everything below it.
 */
import { hexToBigInt, wordToAddress } from "./encoding.ts";
import type { FlatTrace } from "./traces.ts";

export interface StructLog {
  op: string;
  depth: number;
  /** Hex words, top of the stack last (absent when the node was asked not to send them). */
  stack?: string[];
}

export interface StructLogAnswer {
  failed?: boolean;
  structLogs: StructLog[];
}

export const isStructLogAnswer = (v: unknown): v is StructLogAnswer =>
  typeof v === "object" && v !== null && Array.isArray((v as { structLogs?: unknown }).structLogs);

const word = (s: string): bigint => hexToBigInt(`0x${s.replace(/^0x/, "") || "0"}`);

/** Stack item n from the top (0 = top). */
const fromTop = (l: StructLog, n: number): string | undefined => l.stack?.[l.stack.length - 1 - n];

const CALLS = new Set(["CALL", "CALLCODE", "DELEGATECALL", "STATICCALL", "CREATE", "CREATE2"]);

interface Frame {
  /** Address whose code runs (the caller of the calls it makes). */
  address: string;
  path: number[];
  children: number;
  /** The call that opened this frame, and where its entries start in the output. */
  opened?: { entry: FlatTrace; start: number };
}

export type StructLogResult = { flat: FlatTrace[] } | { unreadable: string };

/**
 * The transaction's frames in trace order (the shape fromParity and fromCallTracer give). `root.to`
 * is the callee or, for a contract creation, the created address (from the receipt).
 */
export function fromStructLogs(
  root: { from: string; to: string; value: bigint; create: boolean },
  answer: StructLogAnswer,
): StructLogResult {
  const logs = answer.structLogs;
  const rootEntry: FlatTrace = {
    traceAddress: [],
    call: !root.create,
    create: root.create,
    from: root.from,
    to: root.to,
    value: root.value,
    reverted: false,
  };
  const out: FlatTrace[] = [rootEntry];
  const frames: Frame[] = [{ address: root.to, path: [], children: 0 }];
  const base = logs[0]?.depth ?? 0;

  /** A call's result is on top of the caller's stack: mark it and what ran below it. */
  const settle = (opened: { entry: FlatTrace; start: number }, at: StructLog): string | undefined => {
    const top = fromTop(at, 0);
    if (top === undefined) return "a step after a call has no stack";
    const result = word(top);
    const below = out.slice(opened.start);
    if (result === 0n) for (const e of below) e.reverted = true;
    if (opened.entry.create && result !== 0n) {
      // Until now the frame's calls were made from a placeholder: the created address is known here.
      const placeholder = `create:${opened.start}`;
      const created = wordToAddress(top);
      opened.entry.to = created;
      for (const e of below) if (e.from === placeholder) e.from = created;
    }
    return undefined;
  };

  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]!;
    const depth = l.depth - base;
    // Back from deeper frames: each returning frame's result is on top of this step's stack.
    while (frames.length - 1 > depth) {
      const f = frames.pop()!;
      const err = f.opened ? settle(f.opened, l) : undefined;
      if (err) return { unreadable: err };
    }
    if (!CALLS.has(l.op)) continue;
    const frame = frames[frames.length - 1]!;
    if (!l.stack) return { unreadable: "struct logs without the stack" };
    const create = l.op === "CREATE" || l.op === "CREATE2";
    const moves = l.op === "CALL" || l.op === "CALLCODE";
    const target = create ? undefined : fromTop(l, 1);
    const value = create ? fromTop(l, 0) : moves ? fromTop(l, 2) : "0x0";
    if (value === undefined || (!create && target === undefined))
      return { unreadable: `${l.op} with a short stack` };
    const entry: FlatTrace = {
      traceAddress: [...frame.path, frame.children++],
      call: l.op === "CALL",
      create,
      from: frame.address,
      to: target === undefined ? null : wordToAddress(target),
      value: word(value),
      reverted: false,
    };
    out.push(entry);
    const opened = { entry, start: out.length - 1 };
    const next = logs[i + 1];
    if (!next) return { unreadable: "the trace ends inside a call" };
    if (next.depth - base === depth + 1) {
      // The callee runs: DELEGATECALL and CALLCODE run its code as the caller.
      const address = create
        ? `create:${out.length - 1}`
        : l.op === "DELEGATECALL" || l.op === "CALLCODE"
          ? frame.address
          : entry.to!;
      frames.push({ address, path: entry.traceAddress, children: 0, opened });
    } else {
      const err = settle(opened, next);
      if (err) return { unreadable: err };
    }
  }
  if (frames.length > 1) return { unreadable: "the trace ends inside a call" };
  if (answer.failed) for (const e of out) e.reverted = true;
  if (out.some((e) => e.from.startsWith("create:") && e.call && e.value > 0n))
    return {
      unreadable: "a failed contract creation moved value from an address the struct logs do not give",
    };
  return { flat: out };
}
