import {
  type AssetInfo,
  amountText,
  categoryGroup,
  edgeWidth,
  type FlowTrace,
  GROUPS,
  groupColour,
  largestByAsset,
  layerLayout,
  nodeKey,
  shortAddress,
} from "./flow.ts";

/** Text for HTML and SVG content and double-quoted attributes (the only kind written here). */
export function esc(s: string | number): string {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const NODE_W = 176;
const NODE_H = 46;
const COL_STEP = 300;
const ROW_STEP = 64;
const MARGIN = 24;
const LEGEND_H = 34;

export interface FlowSvgOptions {
  /** Above this many nodes only the endpoints' paths are drawn (default 150). */
  maxNodes?: number;
  /** A standalone file (with the SVG namespace) rather than SVG inside HTML. */
  standalone?: boolean;
}

interface DrawNode {
  key: string;
  address: string;
  asset: string;
  amount: string;
  hop: number;
  labels: string[];
  categories: string[];
  start: boolean;
}

/** Which nodes and edges the picture shows: all of them, or the endpoints' paths when there are too many. */
function selection(r: FlowTrace, maxNodes: number) {
  const nodes = new Map<string, DrawNode>();
  for (const n of r.nodes) {
    const key = nodeKey(n.address, n.asset);
    if (!nodes.has(key))
      nodes.set(key, {
        key,
        address: n.address,
        asset: n.asset,
        amount: String(n.amount),
        hop: n.hop,
        labels: n.labels,
        categories: n.categories,
        start: n.start,
      });
  }
  let keep: Set<string> | undefined;
  if (nodes.size > maxNodes) {
    keep = new Set();
    for (const e of r.endpoints)
      for (const p of e.paths.slice(0, 1))
        for (const h of p.hops) {
          keep.add(nodeKey(h.from, e.asset));
          keep.add(nodeKey(h.to, e.asset));
        }
  }
  const edges = r.edges.filter((e) => {
    const a = nodeKey(e.from, e.asset);
    const b = nodeKey(e.to, e.asset);
    return !keep || (keep.has(a) && keep.has(b));
  });
  // an edge whose end the engine did not list as a node still gets one (as GraphML does)
  for (const e of edges)
    for (const [address, hop] of [
      [e.from, e.hop - 1],
      [e.to, e.hop],
    ] as const) {
      const key = nodeKey(address, e.asset);
      if (!nodes.has(key))
        nodes.set(key, {
          key,
          address,
          asset: e.asset,
          amount: "0",
          hop: Math.max(0, hop),
          labels: [],
          categories: [],
          start: false,
        });
    }
  const drawn = [...nodes.values()].filter((n) => !keep || keep.has(n.key));
  return { nodes: drawn, edges, omitted: nodes.size - drawn.length };
}

/**
 * The flow as an SVG picture: one column per hop, money flowing left to right, node colour by
 * category, endpoints with a heavy border, edge width by the amount carried, amounts on the edges.
 */
export function flowSvg(
  r: FlowTrace,
  info: (asset: string) => AssetInfo,
  opts: FlowSvgOptions = {},
): { svg: string; nodes: number; edges: number; omitted: number } {
  const { nodes, edges, omitted } = selection(r, opts.maxNodes ?? 150);
  const place = layerLayout(
    nodes.map((n) => ({ id: n.key, hop: n.hop })),
    edges.map((e) => ({ from: nodeKey(e.from, e.asset), to: nodeKey(e.to, e.asset) })),
    { mirror: r.direction === "backward" },
  );
  const perColumn = new Map<number, number>();
  for (const p of place.values()) perColumn.set(p.column, (perColumn.get(p.column) ?? 0) + 1);
  const rows = Math.max(1, ...perColumn.values());
  const columns = Math.max(1, ...[...perColumn.keys()].map((c) => c + 1));
  const width = MARGIN * 2 + (columns - 1) * COL_STEP + NODE_W;
  const height = MARGIN * 2 + (rows - 1) * ROW_STEP + NODE_H + LEGEND_H;
  // columns top-aligned: the main flow runs along the top, wide columns (a CoinJoin) extend below
  const at = (key: string) => {
    const p = place.get(key)!;
    return { x: MARGIN + p.column * COL_STEP, y: LEGEND_H + MARGIN + p.row * ROW_STEP };
  };
  const endpoints = new Set(r.endpoints.map((e) => nodeKey(e.address, e.asset)));
  const largest = largestByAsset(edges);
  const out: string[] = [];
  out.push(
    `<svg ${opts.standalone ? 'xmlns="http://www.w3.org/2000/svg" ' : ""}viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="flow of funds, one column per hop" font-family="system-ui, sans-serif" font-size="11">`,
    `<defs><marker id="ft-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#546e7a"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
  );
  let lx = MARGIN;
  for (const g of GROUPS) {
    out.push(
      `<rect x="${lx}" y="10" width="12" height="12" rx="2" fill="${g.colour}"/><text x="${lx + 16}" y="20">${esc(g.name)}</text>`,
    );
    lx += 30 + g.name.length * 6;
  }
  out.push(
    `<rect x="${lx}" y="10" width="12" height="12" rx="2" fill="#fff" stroke="#111" stroke-width="3"/><text x="${lx + 16}" y="20">endpoint</text>`,
  );
  const labelEdges = edges.length <= 80;
  for (const e of edges) {
    const a = at(nodeKey(e.from, e.asset));
    const b = at(nodeKey(e.to, e.asset));
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const dx = Math.max(40, Math.abs(x2 - x1) / 2);
    const w = edgeWidth(e.amount, largest.get(e.asset) ?? 0n);
    const amount = amountText(e.amount, e.asset, info);
    out.push(
      `<path d="M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}" fill="none" stroke="#78909c" stroke-opacity="0.7" stroke-width="${w.toFixed(1)}" marker-end="url(#ft-arrow)"><title>${esc(`${amount} in ${e.txid}`)}</title></path>`,
    );
    if (labelEdges)
      out.push(
        `<text x="${(x1 + x2) / 2}" y="${(y1 + y2) / 2 - 4}" text-anchor="middle" font-size="10" fill="#263238" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(amount)}</text>`,
      );
  }
  for (const n of nodes) {
    const { x, y } = at(n.key);
    const colour = groupColour(categoryGroup(n.categories));
    const end = endpoints.has(n.key);
    const title = n.labels[0] ?? shortAddress(n.address);
    out.push(
      `<g><title>${esc([n.address, ...n.labels, n.categories.join(", ")].filter(Boolean).join("\n"))}</title>`,
      `<rect x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="6" fill="${colour}" stroke="${end ? "#111" : "#fff"}" stroke-width="${end ? 3 : 1}"/>`,
      `<text x="${x + 8}" y="${y + 18}" fill="#fff" font-weight="600">${esc(n.start ? `START ${clip(title, 15)}` : clip(title, 21))}</text>`,
      `<text x="${x + 8}" y="${y + 35}" fill="#fff">${esc(n.amount === "0" && !n.start ? shortAddress(n.address) : amountText(n.amount, n.asset, info))}</text>`,
      `</g>`,
    );
  }
  out.push("</svg>");
  return { svg: out.join("\n"), nodes: nodes.length, edges: edges.length, omitted };
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
