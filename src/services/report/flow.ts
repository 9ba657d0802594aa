/**
 * What the flow picture shows, shared by the HTML report (server-side SVG) and the web UI (served to
 * the browser as a module): the colour group of a node, the asset of an amount, and the layered
 * placement of nodes in one column per hop. Pure: no imports beyond core/amount.
 */
import { formatAmount } from "../../core/amount.ts";
import type { TraceEdge, TraceEndpoint, TraceHop, TraceNode } from "../../core/trace.ts";
import type { TraceResponse } from "../trace.ts";
import type { Chrono, Coverage, Units } from "../trace-answer.ts";

/** An amount as the engine gives it (bigint) or as JSON carries it (decimal string). */
export type AmountLike = bigint | string;

/** A value with its bigint amounts as they are, or as JSON carries them (decimal strings). */
export type Amounts<T> = T extends bigint
  ? AmountLike
  : T extends readonly (infer U)[]
    ? Amounts<U>[]
    : T extends object
      ? { [K in keyof T]: Amounts<T[K]> }
      : T;

/**
 * A trace as packages written before units, times, sources and coverage were added carry it: those
 * fields optional, so an older evidence package still renders.
 */
type Older = Omit<TraceResponse, "sources" | "stats" | "endpoints" | "nodes" | "edges"> & {
  sources?: TraceResponse["sources"];
  stats: Omit<TraceResponse["stats"], "coverage"> & { coverage?: Coverage };
  endpoints: (Omit<TraceEndpoint, "paths"> & {
    paths: { hops: (TraceHop & Partial<Chrono>)[]; bottleneck: bigint }[];
  })[];
  nodes: (TraceNode & Partial<Units>)[];
  edges: (TraceEdge & Partial<Units & Chrono>)[];
};

/** A trace result as the engine gives it or as JSON (an evidence package, the API's answer) carries it. */
export type FlowTrace = Amounts<Older>;

export type Group = "terrorism_financing" | "sanction" | "mixer" | "exchange" | "other" | "unlabelled";

/** Colour groups, most serious first (a node with several categories takes the first that matches). */
export const GROUPS: readonly {
  group: Group;
  colour: string;
  name: string;
  categories: readonly string[];
}[] = [
  {
    group: "terrorism_financing",
    colour: "#c62828",
    name: "terror financing",
    categories: ["terrorism_financing", "terrorism"],
  },
  { group: "sanction", colour: "#6a1b9a", name: "sanctioned", categories: ["sanction", "sanctioned"] },
  {
    group: "mixer",
    colour: "#ef6c00",
    name: "mixer",
    categories: ["mixer", "mixing_service", "mixing", "coinjoin", "tumbler"],
  },
  { group: "exchange", colour: "#1565c0", name: "exchange", categories: ["exchange"] },
  { group: "other", colour: "#00796b", name: "other label", categories: [] },
  { group: "unlabelled", colour: "#9e9e9e", name: "unlabelled", categories: [] },
];

export function categoryGroup(categories: readonly string[]): Group {
  for (const g of GROUPS) if (g.categories.some((c) => categories.includes(c))) return g.group;
  return categories.length ? "other" : "unlabelled";
}

export function groupColour(group: Group): string {
  return GROUPS.find((g) => g.group === group)!.colour;
}

export interface AssetInfo {
  symbol: string | null;
  decimals: number | null;
}

/**
 * Symbol and decimals of every asset in a trace: from its endpoints (which carry them), else the
 * chain's native asset when given; an asset known nowhere is shown in base units.
 */
export function assetInfo(
  r: Pick<FlowTrace, "endpoints">,
  native?: { symbol: string; decimals: number },
): (asset: string) => AssetInfo {
  const known = new Map<string, AssetInfo>();
  for (const e of r.endpoints)
    if (!known.has(e.asset) || known.get(e.asset)!.decimals === null)
      known.set(e.asset, { symbol: e.symbol, decimals: e.decimals });
  return (asset) =>
    known.get(asset) ??
    (native && asset === native.symbol
      ? native
      : { symbol: asset.length > 12 ? null : asset, decimals: null });
}

/** formatAmount with the asset's symbol and decimals (a token contract without them: base units). */
export function amountText(amount: AmountLike, asset: string, info: (asset: string) => AssetInfo): string {
  const a = info(asset);
  return formatAmount(amount, a.decimals, a.symbol ?? (a.decimals === null ? asset : null));
}

/** A long address shortened for a picture: first 8 and last 6 characters. */
export function shortAddress(a: string): string {
  return a.length > 18 ? `${a.slice(0, 8)}…${a.slice(-6)}` : a;
}

/** The key of a node in the picture: an address per asset (assets never mix in a trace). */
export function nodeKey(address: string, asset: string): string {
  return `${address}|${asset}`;
}

export interface Placed {
  /** Column from the left (0 = the money's origin side). */
  column: number;
  /** Position in its column, 0 at the top. */
  row: number;
}

/**
 * Layered placement, one column per hop: money flows left to right (forward traces start on the
 * left, backward traces end on the right). Rows come from barycentre sweeps (each node moves to the
 * mean row of its neighbours in the columns before, then after), which keeps crossings few; linear
 * in the edges per sweep, so thousands of nodes place in milliseconds.
 */
export function layerLayout(
  nodes: readonly { id: string; hop: number }[],
  edges: readonly { from: string; to: string }[],
  opts: { mirror?: boolean; sweeps?: number } = {},
): Map<string, Placed> {
  const maxHop = nodes.reduce((m, n) => Math.max(m, n.hop), 0);
  const columnOf = new Map(nodes.map((n) => [n.id, opts.mirror ? maxHop - n.hop : n.hop]));
  const columns: string[][] = Array.from({ length: maxHop + 1 }, () => []);
  for (const n of nodes) columns[columnOf.get(n.id)!]!.push(n.id);
  const before = new Map<string, string[]>();
  const after = new Map<string, string[]>();
  const link = (m: Map<string, string[]>, k: string, v: string) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  for (const e of edges) {
    const a = columnOf.get(e.from);
    const b = columnOf.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    const [left, right] = a < b ? [e.from, e.to] : [e.to, e.from];
    link(before, right, left);
    link(after, left, right);
  }
  const row = new Map<string, number>();
  const number = (col: string[]) => {
    col.forEach((id, i) => {
      row.set(id, i);
    });
  };
  for (const col of columns) number(col);
  const reorder = (col: string[], neighbours: Map<string, string[]>) => {
    const key = new Map<string, number>();
    for (const id of col) {
      const ns = neighbours.get(id);
      key.set(id, ns?.length ? ns.reduce((s, n) => s + row.get(n)!, 0) / ns.length : row.get(id)!);
    }
    col.sort((x, y) => key.get(x)! - key.get(y)! || row.get(x)! - row.get(y)!);
    number(col);
  };
  for (let s = 0; s < (opts.sweeps ?? 4); s++) {
    for (let c = 1; c < columns.length; c++) reorder(columns[c]!, before);
    for (let c = columns.length - 2; c >= 0; c--) reorder(columns[c]!, after);
  }
  const out = new Map<string, Placed>();
  columns.forEach((col, c) => {
    for (const id of col) out.set(id, { column: c, row: row.get(id)! });
  });
  return out;
}

/** Stroke width for an amount: 1.5 to 10 by the square root of its share of the largest of its asset. */
export function edgeWidth(amount: AmountLike, largest: AmountLike): number {
  const max = BigInt(largest);
  if (max <= 0n) return 1.5;
  const share = Number((BigInt(amount) * 1_000_000n) / max) / 1_000_000;
  return 1.5 + 8.5 * Math.sqrt(Math.max(0, Math.min(1, share)));
}

/** The largest edge amount per asset (what edge widths are relative to). */
export function largestByAsset(edges: readonly { asset: string; amount: AmountLike }[]): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const e of edges) {
    const v = BigInt(e.amount);
    if (v > (m.get(e.asset) ?? 0n)) m.set(e.asset, v);
  }
  return m;
}
