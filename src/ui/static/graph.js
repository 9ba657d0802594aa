/**
 * The flow graph: cytoscape draws it; nodes sit in one column per hop, money flowing left to
 * right. Up to DAGRE_MAX nodes dagre (cytoscape-dagre) lays the columns out with its crossing
 * reduction, its ranks pinned to the hops by each edge's minimum length; above that the shared
 * barycentre layering (the HTML report's) places thousands of nodes in milliseconds.
 */

import {
  amountText,
  categoryGroup,
  edgeWidth,
  groupColour,
  largestByAsset,
  layerLayout,
  nodeKey,
  shortAddress,
} from "/ui/lib.js";
import cytoscape from "/ui/vendor/cytoscape.mjs";
import dagre from "/ui/vendor/cytoscape-dagre.mjs";

cytoscape.use(dagre);

export const DAGRE_MAX = 300;
/** Above this many elements edges are drawn plainly (no labels, straight haystack lines). */
const PLAIN_ABOVE = 600;

const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function edgeId(e) {
  return `${e.txid}|${e.from}|${e.to}|${e.asset}`;
}

/** Cytoscape elements of a trace result (or of an expansion, marked so and shifted by `hopOffset`). */
export function elementsOf(r, info, { expansion = false, hopOffset = 0, have } = {}) {
  const endpoints = new Set(r.endpoints.map((e) => nodeKey(e.address, e.asset)));
  const largest = largestByAsset(r.edges);
  const nodes = new Map();
  const addNode = (n) => {
    const id = nodeKey(n.address, n.asset);
    if (nodes.has(id) || have?.has(id)) return;
    const title = n.labels[0] ? clip(n.labels[0], 26) : shortAddress(n.address);
    nodes.set(id, {
      group: "nodes",
      classes: expansion ? "expansion" : "",
      data: {
        id,
        address: n.address,
        asset: n.asset,
        amount: String(n.amount),
        hop: n.hop + hopOffset,
        labels: n.labels,
        categories: n.categories,
        colour: groupColour(categoryGroup(n.categories)),
        start: !expansion && n.start,
        endpoint: !expansion && endpoints.has(id),
        text: `${n.start && !expansion ? "▶ " : ""}${title}\n${amountText(n.amount, n.asset, info)}`,
      },
    });
  };
  for (const n of r.nodes) addNode(n);
  // an edge whose end the engine did not list as a node still gets one (as GraphML does)
  for (const e of r.edges) {
    addNode({
      address: e.from,
      asset: e.asset,
      amount: "0",
      hop: e.hop - 1,
      labels: [],
      categories: [],
      start: false,
    });
    addNode({
      address: e.to,
      asset: e.asset,
      amount: "0",
      hop: e.hop,
      labels: [],
      categories: [],
      start: false,
    });
  }
  const edges = r.edges.map((e) => ({
    group: "edges",
    classes: expansion ? "expansion" : "",
    data: {
      id: edgeId(e),
      source: nodeKey(e.from, e.asset),
      target: nodeKey(e.to, e.asset),
      txid: e.txid,
      from: e.from,
      to: e.to,
      asset: e.asset,
      amount: String(e.amount),
      hop: e.hop + hopOffset,
      width: edgeWidth(e.amount, largest.get(e.asset) ?? 0n),
      text: amountText(e.amount, e.asset, info),
    },
  }));
  return { nodes: [...nodes.values()], edges };
}

function style(plain) {
  return [
    {
      selector: "node",
      style: {
        shape: plain ? "rectangle" : "round-rectangle",
        width: 156,
        height: 42,
        "background-color": "data(colour)",
        // thousands of labels cost seconds to measure: a big graph shows them once zoomed in
        label: plain ? "" : "data(text)",
        color: "#fff",
        "font-size": 10,
        "font-family": "system-ui, sans-serif",
        "text-wrap": "wrap",
        "text-max-width": 148,
        "text-valign": "center",
        "text-halign": "center",
        "border-width": 1,
        "border-color": "#ffffff",
        "min-zoomed-font-size": 6,
      },
    },
    { selector: "node.labelled", style: { label: "data(text)" } },
    { selector: "node[?endpoint]", style: { "border-width": 4, "border-color": "#111111" } },
    { selector: "node[?start]", style: { "border-width": 4, "border-color": "#2e7d32" } },
    {
      selector: "node.expansion",
      style: { "border-style": "dashed", "border-width": 2, "border-color": "#263238" },
    },
    {
      selector: "node:selected",
      style: { "overlay-color": "#ffca28", "overlay-opacity": 0.45, "overlay-padding": 6 },
    },
    {
      selector: "edge",
      style: plain
        ? { width: "data(width)", "line-color": "#90a4ae", "curve-style": "haystack", opacity: 0.7 }
        : {
            width: "data(width)",
            "line-color": "#90a4ae",
            "target-arrow-color": "#607d8b",
            "target-arrow-shape": "triangle",
            "arrow-scale": 0.9,
            "curve-style": "bezier",
            label: "data(text)",
            "font-size": 9,
            color: "#263238",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.85,
            "text-background-padding": 2,
            "min-zoomed-font-size": 6,
          },
    },
    { selector: "edge.expansion", style: { "line-style": "dashed" } },
    { selector: "edge:selected", style: { "line-color": "#ffa000", "target-arrow-color": "#ffa000" } },
  ];
}

/** Positions by the shared barycentre layering: one column per hop. */
function layered(nodes, edges, direction) {
  const place = layerLayout(nodes, edges, { mirror: direction === "backward" });
  const count = new Map();
  for (const p of place.values()) count.set(p.column, (count.get(p.column) ?? 0) + 1);
  const at = new Map();
  for (const [id, p] of place)
    at.set(id, { x: p.column * 270, y: (p.row - (count.get(p.column) - 1) / 2) * 54 });
  return at;
}

/** Places every node in its hop's column (mirrored for backward traces, so money flows left to right). */
export function layout(cy, direction) {
  const nodes = cy.nodes();
  const maxHop = nodes.reduce((m, n) => Math.max(m, n.data("hop")), 0);
  const col = (n) => (direction === "backward" ? maxHop - n.data("hop") : n.data("hop"));
  if (nodes.length <= DAGRE_MAX) {
    // dagre ranks by edge lengths: keep the edges that go rightwards, each exactly as long as its column gap
    const rightwards = cy.edges().filter((e) => col(e.target()) > col(e.source()));
    rightwards.forEach((e) => {
      e.data("minLen", col(e.target()) - col(e.source()));
    });
    nodes
      .union(rightwards)
      .layout({
        name: "dagre",
        rankDir: "LR",
        nodeSep: 16,
        rankSep: 100,
        edgeSep: 8,
        minLen: (e) => e.data("minLen"),
        animate: false,
        fit: false,
      })
      .run();
  } else {
    const at = layered(
      nodes.map((n) => ({ id: n.id(), hop: n.data("hop") })),
      cy.edges().map((e) => ({ from: e.source().id(), to: e.target().id() })),
      direction,
    );
    cy.batch(() => {
      nodes.positions((n) => at.get(n.id()));
    });
  }
  cy.fit(undefined, 24);
  // a small graph is not blown up past its natural size (labels would crowd the edges)
  if (cy.zoom() > 1) {
    cy.zoom(1);
    cy.center();
  }
}

/** A big graph draws its labels only once zoomed in far enough to read them. */
function labelsWhenZoomed(cy) {
  let shown = false;
  cy.on("zoom", () => {
    const want = cy.zoom() > 0.45;
    if (want === shown) return;
    shown = want;
    cy.style()
      .selector("node")
      .style("label", want ? "data(text)" : "")
      .update();
  });
}

/** A cytoscape instance over a trace result in `container`. */
export function createGraph(container, r, info) {
  const { nodes, edges } = elementsOf(r, info);
  const plain = nodes.length + edges.length > PLAIN_ABOVE;
  const big = nodes.length > DAGRE_MAX;
  if (big) {
    // positions go in with the elements: no layout pass over thousands of nodes afterwards
    const at = layered(
      nodes.map((n) => ({ id: n.data.id, hop: n.data.hop })),
      edges.map((e) => ({ from: e.data.source, to: e.data.target })),
      r.direction,
    );
    for (const n of nodes) n.position = at.get(n.data.id);
  }
  const cy = cytoscape({
    container,
    elements: [...nodes, ...edges],
    style: style(plain),
    minZoom: 0.02,
    maxZoom: 3,
    pixelRatio: plain ? 1 : "auto",
    textureOnViewport: plain,
    hideEdgesOnViewport: plain,
    boxSelectionEnabled: false,
    layout: big ? { name: "preset", fit: true, padding: 24 } : undefined,
  });
  if (!big) layout(cy, r.direction);
  if (plain) labelsWhenZoomed(cy);
  return cy;
}

/** Calls `done` once the canvas has painted (two animation frames after the layout). */
export function afterPaint(done) {
  requestAnimationFrame(() => requestAnimationFrame(done));
}
