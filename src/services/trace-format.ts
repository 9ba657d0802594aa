import { getChain } from "../chains.ts";
import { type AmountLike, type AssetInfo, assetInfo, type FlowTrace } from "./report/flow.ts";
import { amountFor, coverageText } from "./trace-answer.ts";

/**
 * A trace as people read it: text table, CSV and GraphML. Amounts are shown with the asset's
 * decimals and symbol (`0.53000000 BTC`), the base units stay beside them in CSV and GraphML; every
 * path step and edge carries its block height and UTC time. Works on a live result and on one read
 * back from an evidence package (decimal strings; older packages without units or times).
 */

const xml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const csvCell = (v: string | number | boolean) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Symbol and decimals of a trace's assets: what its rows carry, else its endpoints, else the chain's. */
function unitsOf(r: FlowTrace): (asset: string) => AssetInfo {
  let native: { symbol: string; decimals: number } | undefined;
  try {
    const c = getChain(r.chain);
    native = { symbol: c.symbol, decimals: c.decimals };
  } catch {
    native = undefined;
  }
  return assetInfo(r, native);
}

function shown(
  amount: AmountLike,
  asset: string,
  u: Partial<AssetInfo>,
  info: (a: string) => AssetInfo,
): string {
  const k = u.decimals !== undefined && u.symbol !== undefined ? (u as AssetInfo) : info(asset);
  return amountFor(amount, k, asset);
}

/** Where a step or edge sits in the chain: `block 105, 2024-03-01T12:00:00Z` (unconfirmed: no block). */
export function whenText(x: { height?: number | null; time?: string | null }): string {
  if (x.height === undefined && x.time === undefined) return "";
  if (x.height === null || x.height === undefined) return "unconfirmed";
  return `block ${x.height}${x.time ? `, ${x.time}` : ""}`;
}

/**
 * Endpoints as CSV: one row per endpoint; `amount` for people, `base_units` exact; `paths` lists each
 * route's steps `from>txid>to@height/time` (full txids), steps separated by spaces, routes by ` | `.
 */
export function traceCsv(r: FlowTrace): string {
  const info = unitsOf(r);
  const head = [
    "address",
    "categories",
    "labels",
    "stop",
    "amount",
    "base_units",
    "asset",
    "symbol",
    "decimals",
    "hops",
    "paths",
  ];
  const rows = r.endpoints.map((e) => [
    e.address,
    e.categories.join(";"),
    e.labels.join(";"),
    e.stop,
    shown(e.amount, e.asset, e, info),
    String(e.amount),
    e.asset,
    e.symbol ?? "",
    e.decimals ?? "",
    e.hops,
    e.paths
      .map((p) =>
        p.hops.map((h) => `${h.from}>${h.txid}>${h.to}@${h.height ?? ""}/${h.time ?? ""}`).join(" "),
      )
      .join(" | "),
  ]);
  return [head, ...rows].map((x) => x.map(csvCell).join(",")).join("\n") + "\n";
}

/**
 * The trace graph as GraphML (opens in Gephi): node labels, categories, amounts; edge txids, amounts,
 * block heights and times. `amount` is for people (`0.53000000 BTC`), `base_units` exact.
 */
export function traceGraphml(r: FlowTrace): string {
  const info = unitsOf(r);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
    '  <key id="categories" for="node" attr.name="categories" attr.type="string"/>',
    '  <key id="amount" for="node" attr.name="amount" attr.type="string"/>',
    '  <key id="base" for="node" attr.name="base_units" attr.type="string"/>',
    '  <key id="hop" for="node" attr.name="hop" attr.type="int"/>',
    '  <key id="stop" for="node" attr.name="stop" attr.type="boolean"/>',
    '  <key id="txid" for="edge" attr.name="txid" attr.type="string"/>',
    '  <key id="eamount" for="edge" attr.name="amount" attr.type="string"/>',
    '  <key id="ebase" for="edge" attr.name="base_units" attr.type="string"/>',
    '  <key id="asset" for="edge" attr.name="asset" attr.type="string"/>',
    '  <key id="height" for="edge" attr.name="height" attr.type="int"/>',
    '  <key id="time" for="edge" attr.name="time" attr.type="string"/>',
    `  <graph id="trace" edgedefault="directed">`,
  ];
  const seen = new Set<string>();
  for (const n of r.nodes) {
    if (seen.has(n.address)) continue;
    seen.add(n.address);
    out.push(
      `    <node id="${xml(n.address)}"><data key="label">${xml(n.labels[0] ?? n.address)}</data><data key="categories">${xml(n.categories.join(";"))}</data><data key="amount">${xml(shown(n.amount, n.asset, n, info))}</data><data key="base">${n.amount}</data><data key="hop">${n.hop}</data><data key="stop">${n.stop}</data></node>`,
    );
  }
  r.edges.forEach((e, i) => {
    for (const a of [e.from, e.to]) {
      if (!seen.has(a)) {
        seen.add(a);
        out.push(`    <node id="${xml(a)}"><data key="label">${xml(a)}</data></node>`);
      }
    }
    const height = e.height === null || e.height === undefined ? "" : `<data key="height">${e.height}</data>`;
    const time = e.time ? `<data key="time">${xml(e.time)}</data>` : "";
    out.push(
      `    <edge id="e${i}" source="${xml(e.from)}" target="${xml(e.to)}"><data key="txid">${xml(e.txid)}</data><data key="eamount">${xml(shown(e.amount, e.asset, e, info))}</data><data key="ebase">${e.amount}</data><data key="asset">${xml(e.asset)}</data>${height}${time}</edge>`,
    );
  });
  out.push("  </graph>", "</graphml>", "");
  return out.join("\n");
}

const cmpAmount = (a: AmountLike, b: AmountLike) => {
  const x = BigInt(a);
  const y = BigInt(b);
  return y > x ? 1 : y < x ? -1 : 0;
};

/**
 * A readable report: endpoints by amount with hops and one path each (steps with block and time),
 * a backward trace's sources, and what the trace did not see.
 */
export function traceTable(r: FlowTrace): string {
  const info = unitsOf(r);
  const lines = [
    `${r.direction} ${r.model} trace on ${r.chain} from ${r.start.join(", ")} (max ${r.maxHops} hops)`,
  ];
  for (const c of r.clusters ?? [])
    lines.push(
      c.clusterId === null
        ? `  ${c.address} is in no cluster: traced alone`
        : `  cluster ${c.clusterId} of ${c.address}: ${c.members} addresses, all traced`,
    );
  if (r.window)
    lines.push(
      `  only transactions ${r.window.since ? `from ${r.window.since}` : ""}${r.window.since && r.window.until ? " " : ""}${r.window.until ? `to ${r.window.until}` : ""} (blocks ${r.window.fromHeight ?? "-"}..${r.window.toHeight ?? "-"})`,
    );
  lines.push(
    `${r.endpoints.length} endpoints; ${r.stats.addressesVisited} addresses expanded, ${r.stats.requests} upstream requests${r.stats.truncated ? "; TRUNCATED by the address budget" : ""}`,
  );
  const eps = [...r.endpoints].sort((a, b) => cmpAmount(a.amount, b.amount));
  const width = Math.max(0, ...eps.map((e) => shown(e.amount, e.asset, e, info).length));
  for (const e of eps) {
    lines.push(
      `  ${shown(e.amount, e.asset, e, info).padStart(width)}  hop ${e.hops}  ${e.address}  ${e.categories.join(",")}${e.stop ? " [stop]" : ""}  ${e.labels.join("; ")}`,
    );
    const p = e.paths[0];
    if (p) {
      const steps = p.hops.map((h) => {
        const when = whenText(h);
        return `${h.txid.slice(0, 12)}…${when ? ` (${when})` : ""} → ${h.to}`;
      });
      lines.push(`      via ${steps.join(" → ")}`);
    }
  }
  const sources = r.sources ?? [];
  if (r.direction === "backward") {
    lines.push(
      sources.length
        ? `${sources.length} sources (where the money came from, labelled or not; nothing further back within ${r.maxHops} hops):`
        : "no sources: nothing reached the start within the trace (or the graph was left out)",
    );
    const sw = Math.max(0, ...sources.map((s) => shown(s.amount, s.asset, s, info).length));
    for (const s of sources)
      lines.push(
        `  ${shown(s.amount, s.asset, s, info).padStart(sw)}  hop ${s.hop}  ${s.address}  ${s.categories.length ? s.categories.join(",") : "unlabelled"}  ${s.labels.join("; ")}`.trimEnd(),
      );
  }
  const coverage = r.stats.coverage;
  const tail = coverage
    ? coverageText(coverage)
    : (r.stats.gaps ?? []).map((g) => `note: ${g.message}\n`).join("");
  return lines.join("\n") + "\n" + tail;
}
