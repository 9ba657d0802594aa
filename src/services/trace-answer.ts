/**
 * What a trace or an exposure answer adds to the engine's result for the people who read it: the
 * asset's symbol and decimals beside every amount, block height and UTC time on every edge and path
 * step, the sources of a backward trace, and what the answer did not see (coverage), so that an
 * address fundtrace knows nothing of is never reported clean.
 */
import { formatAmount } from "../core/amount.ts";
import { isoTime } from "../core/time.ts";
import type { TraceEdge, TraceEndpoint, TraceHop, TraceNode, TraceResult } from "../core/trace.ts";
import type { ReportedGap } from "./ingest.ts";

/** Symbol and decimals of an asset (null when the source never said). */
export interface Units {
  symbol: string | null;
  decimals: number | null;
}

/** Where a transaction sits in the chain: block height and UTC ISO 8601 time, null while unconfirmed. */
export interface Chrono {
  height: number | null;
  time: string | null;
}

export type TimedHop = TraceHop & Chrono;
export type AnsweredEdge = TraceEdge & Units & Chrono;
export type AnsweredNode = TraceNode & Units;
export type AnsweredEndpoint = Omit<TraceEndpoint, "paths"> & {
  paths: { hops: TimedHop[]; bottleneck: TraceEndpoint["paths"][number]["bottleneck"] }[];
};

/** An address the money came from (backward) with nothing further back within the trace. */
export interface TraceSource extends Units {
  address: string;
  asset: string;
  amount: bigint;
  hop: number;
  labels: string[];
  categories: string[];
}

/** What an answer did not see. `complete` only when nothing is listed. */
export interface Coverage {
  complete: boolean;
  /** Start addresses whose history is not stored (in full): what they did is not (all) known. */
  unknown: { address: string; reason: string }[];
  /** One sentence per thing not seen: addresses not fetched, transactions not loaded, truncation, source gaps. */
  notes: string[];
}

/** The time window an answer was restricted to, as asked and as the stored blocks it became. */
export interface AnswerWindow {
  since: string | null;
  until: string | null;
  /** First and last block height followed (null: no stored block in the window). */
  fromHeight: number | null;
  toHeight: number | null;
}

const LIST = 5;
const some = (xs: readonly string[]) =>
  xs.slice(0, LIST).join(", ") + (xs.length > LIST ? ` and ${xs.length - LIST} more` : "");

/** Coverage from what the engine reported missing, the budget, the sources' gaps and failures. */
export function coverageOf(x: {
  /** `addressCount`: all missing addresses when `addresses` names only some. */
  missing: { txids: string[]; addresses: string[]; addressCount?: number };
  truncated: boolean;
  budget: number;
  gaps: readonly ReportedGap[];
  unknown: { address: string; reason: string }[];
  failures: string[];
}): Coverage {
  const notes: string[] = [];
  for (const n of x.unknown) notes.push(`UNKNOWN ${n.address}: ${n.reason}`);
  const none = new Set(x.unknown.map((n) => n.address));
  const addrs = x.missing.addresses.filter((a) => !none.has(a));
  const count =
    (x.missing.addressCount ?? x.missing.addresses.length) - (x.missing.addresses.length - addrs.length);
  if (count > 0)
    notes.push(
      `${count} address${count === 1 ? "" : "es"} reached but not fetched (their further flows are not in this answer): ${addrs.slice(0, LIST).join(", ")}${count > Math.min(LIST, addrs.length) ? ` and ${count - Math.min(LIST, addrs.length)} more` : ""}`,
    );
  if (x.missing.txids.length)
    notes.push(
      `${x.missing.txids.length} transaction${x.missing.txids.length === 1 ? "" : "s"} needed but not stored: ${some(x.missing.txids)}`,
    );
  if (x.truncated)
    notes.push(`the address budget (${x.budget}) stopped the expansion: raise --max-addresses`);
  for (const g of x.gaps) notes.push(g.message);
  notes.push(...x.failures);
  return { complete: notes.length === 0, unknown: x.unknown, notes };
}

/** Coverage lines for a text answer (nothing when complete). */
export function coverageText(c: Coverage): string {
  if (c.complete) return "";
  return `coverage: PARTIAL, this answer did not see everything:\n${c.notes.map((n) => `  - ${n}\n`).join("")}`;
}

/** An amount for people: base units with the asset's decimals and symbol. */
export function amountFor(amount: bigint | string, u: Units, asset: string): string {
  return formatAmount(amount, u.decimals, u.symbol ?? (u.decimals === null ? asset : null));
}

/** A transaction's place in the chain, from the stored block (Unix seconds). */
export function chronoOf(b: { height: number | null; time: number | null } | undefined): Chrono {
  return { height: b?.height ?? null, time: isoTime(b?.time) };
}

/**
 * The engine's result with units on every node and edge, block height and time on every edge and
 * path step, and (backward) the sources: addresses the money came from with nothing further back.
 */
export function answerTrace(
  r: TraceResult,
  unitsOf: (asset: string) => Units,
  blocks: ReadonlyMap<string, { height: number | null; time: number | null }>,
): Pick<TraceResult, "direction"> & {
  endpoints: AnsweredEndpoint[];
  nodes: AnsweredNode[];
  edges: AnsweredEdge[];
  sources: TraceSource[];
} {
  const edges = r.edges.map((e) => ({ ...e, ...unitsOf(e.asset), ...chronoOf(blocks.get(e.txid)) }));
  const nodes = r.nodes.map((n) => ({ ...n, ...unitsOf(n.asset) }));
  const endpoints = r.endpoints.map((e) => ({
    ...e,
    paths: e.paths.map((p) => ({
      ...p,
      hops: p.hops.map((h) => ({ ...h, ...chronoOf(blocks.get(h.txid)) })),
    })),
  }));
  let sources: TraceSource[] = [];
  if (r.direction === "backward") {
    // money flows from → to; a source pays into the traced flow and is paid by nothing in it
    const paid = new Set(edges.map((e) => `${e.to}|${e.asset}`));
    const payers = new Set(edges.map((e) => `${e.from}|${e.asset}`));
    sources = nodes
      .filter(
        (n) => !n.start && payers.has(`${n.address}|${n.asset}`) && !paid.has(`${n.address}|${n.asset}`),
      )
      .map((n) => ({
        address: n.address,
        asset: n.asset,
        amount: n.amount,
        symbol: n.symbol,
        decimals: n.decimals,
        hop: n.hop,
        labels: n.labels,
        categories: n.categories,
      }))
      .sort((a, b) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : a.hop - b.hop));
  }
  return { direction: r.direction, endpoints, nodes, edges, sources };
}

/** Every txid an answer shows (edges and path steps). */
export function txidsOf(r: Pick<TraceResult, "edges" | "endpoints">): string[] {
  const s = new Set<string>();
  for (const e of r.edges) s.add(e.txid);
  for (const e of r.endpoints) for (const p of e.paths) for (const h of p.hops) s.add(h.txid);
  return [...s];
}
