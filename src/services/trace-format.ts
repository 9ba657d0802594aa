import type { TraceResponse } from "./trace.ts";

const xml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const csvCell = (v: string | number | boolean) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Endpoints as CSV: one row per endpoint, amounts in base units. */
export function traceCsv(r: TraceResponse): string {
  const head = ["address", "categories", "labels", "stop", "amount", "asset", "decimals", "hops", "paths"];
  const rows = r.endpoints.map((e) => [
    e.address,
    e.categories.join(";"),
    e.labels.join(";"),
    e.stop,
    e.amount.toString(),
    e.asset,
    e.decimals ?? "",
    e.hops,
    e.paths.map((p) => p.hops.map((h) => `${h.from}>${h.txid}>${h.to}`).join(" ")).join(" | "),
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(",")).join("\n") + "\n";
}

/** The trace graph as GraphML (opens in Gephi): node labels, categories, amounts; edge txids and amounts. */
export function traceGraphml(r: TraceResponse): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
    '  <key id="categories" for="node" attr.name="categories" attr.type="string"/>',
    '  <key id="amount" for="node" attr.name="amount" attr.type="string"/>',
    '  <key id="hop" for="node" attr.name="hop" attr.type="int"/>',
    '  <key id="stop" for="node" attr.name="stop" attr.type="boolean"/>',
    '  <key id="txid" for="edge" attr.name="txid" attr.type="string"/>',
    '  <key id="eamount" for="edge" attr.name="amount" attr.type="string"/>',
    '  <key id="asset" for="edge" attr.name="asset" attr.type="string"/>',
    `  <graph id="trace" edgedefault="directed">`,
  ];
  const seen = new Set<string>();
  for (const n of r.nodes) {
    if (seen.has(n.address)) continue;
    seen.add(n.address);
    out.push(
      `    <node id="${xml(n.address)}"><data key="label">${xml(n.labels[0] ?? n.address)}</data><data key="categories">${xml(n.categories.join(";"))}</data><data key="amount">${n.amount}</data><data key="hop">${n.hop}</data><data key="stop">${n.stop}</data></node>`,
    );
  }
  r.edges.forEach((e, i) => {
    for (const a of [e.from, e.to]) {
      if (!seen.has(a)) {
        seen.add(a);
        out.push(`    <node id="${xml(a)}"><data key="label">${xml(a)}</data></node>`);
      }
    }
    out.push(
      `    <edge id="e${i}" source="${xml(e.from)}" target="${xml(e.to)}"><data key="txid">${xml(e.txid)}</data><data key="eamount">${e.amount}</data><data key="asset">${xml(e.asset)}</data></edge>`,
    );
  });
  out.push("  </graph>", "</graphml>", "");
  return out.join("\n");
}

/** A readable report: endpoints by amount with hops and one path each. */
export function traceTable(r: TraceResponse): string {
  const lines = [
    `${r.direction} ${r.model} trace on ${r.chain} from ${r.start.join(", ")} (max ${r.maxHops} hops)`,
    `${r.endpoints.length} endpoints; ${r.stats.addressesVisited} addresses expanded, ${r.stats.requests} upstream requests${r.stats.truncated ? "; TRUNCATED by the address budget" : ""}`,
  ];
  const eps = [...r.endpoints].sort((a, b) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : 0));
  for (const e of eps) {
    lines.push(
      `  ${e.address}  ${e.amount} ${e.symbol ?? e.asset} (base units)  hop ${e.hops}  ${e.categories.join(",")}${e.stop ? " [stop]" : ""}  ${e.labels.join("; ")}`,
    );
    const p = e.paths[0];
    if (p) lines.push(`      via ${p.hops.map((h) => `${h.txid.slice(0, 12)}… → ${h.to}`).join(" → ")}`);
  }
  return lines.join("\n") + "\n";
}
