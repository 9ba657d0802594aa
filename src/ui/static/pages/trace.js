import { amountText, assetInfo, categoryGroup, GROUPS, nodeKey, shortAddress } from "/ui/lib.js";
import { api, chainList, enc, nativeOf } from "../api.js";
import { go } from "../app.js";
import { addressLink, download, errorBox, fill, h, muted, table } from "../dom.js";
import { afterPaint, createGraph, edgeId, elementsOf, layout } from "../graph.js";

const MODELS = ["poison", "haircut", "fifo"];
const MODEL_HELP = {
  poison: "any contact taints everything (widest reach, overstates amounts)",
  haircut: "taint passes on in proportion to its share of the inputs",
  fifo: "coins leave in the order they arrived",
};

/** The POST /v1/trace body the query string describes (the same names as the CLI's flags). */
export function traceRequest(params) {
  const list = (k) =>
    (params.get(k) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const body = {
    chain: params.get("chain") ?? "bitcoin",
    addresses: params.getAll("address").filter(Boolean),
  };
  if (params.get("direction")) body.direction = params.get("direction");
  if (params.get("model")) body.model = params.get("model");
  if (params.get("hops")) body.maxHops = Number(params.get("hops"));
  if (params.get("minValue")) body.minValue = params.get("minValue");
  if (params.has("stopAt")) body.stopAt = list("stopAt");
  if (params.get("to")) {
    const to = list("to");
    const isCategory = (x) => /^[a-z_]+$/.test(x);
    body.targets = { categories: to.filter(isCategory), addresses: to.filter((x) => !isCategory(x)) };
  }
  if (params.get("maxAddresses")) body.maxAddresses = Number(params.get("maxAddresses"));
  return body;
}

function traceForm(params, chains) {
  const v = (k, d = "") => params.get(k) ?? d;
  const sel = (name, options, value) =>
    h(
      "select",
      { name },
      options.map((o) => h("option", { value: o, selected: o === value }, o)),
    );
  const form = h(
    "form",
    { class: "trace-form", "data-testid": "trace-form", autocomplete: "off" },
    h(
      "label",
      {},
      "Chain ",
      sel(
        "chain",
        chains.map((c) => c.name),
        v("chain", "bitcoin"),
      ),
    ),
    h(
      "label",
      { class: "wide" },
      "Address ",
      h("input", {
        name: "address",
        value: params.getAll("address").join(" "),
        required: true,
        spellcheck: "false",
      }),
    ),
    h("label", {}, "Direction ", sel("direction", ["forward", "backward"], v("direction", "forward"))),
    h(
      "label",
      {},
      "Hops ",
      h("input", { name: "hops", type: "number", min: 1, max: 12, value: v("hops", "5") }),
    ),
    h("label", {}, "Stop at ", h("input", { name: "stopAt", value: v("stopAt", "exchange"), size: 10 })),
    h(
      "label",
      {},
      "Only to ",
      h("input", { name: "to", value: v("to"), placeholder: "categories or addresses", size: 16 }),
    ),
    h(
      "label",
      {},
      "Min value ",
      h("input", { name: "minValue", value: v("minValue"), placeholder: "base units", size: 9 }),
    ),
    h("button", { type: "submit" }, "Trace"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    const f = (k) => form.elements.namedItem(k).value.trim();
    q.set("chain", f("chain"));
    for (const a of f("address")
      .split(/[\s,]+/)
      .filter(Boolean))
      q.append("address", a);
    q.set("direction", f("direction"));
    q.set("model", params.get("model") ?? "haircut");
    q.set("hops", f("hops"));
    if (f("stopAt") !== "exchange") q.set("stopAt", f("stopAt"));
    if (f("to")) q.set("to", f("to"));
    if (f("minValue")) q.set("minValue", f("minValue"));
    go(`/ui/trace?${q}`);
  });
  return form;
}

function legend() {
  return h(
    "div",
    { class: "legend" },
    GROUPS.map((g) => h("span", {}, h("i", { class: `swatch bg-${g.group}` }), g.name)),
    h("span", {}, h("i", { class: "swatch swatch-endpoint" }), "endpoint"),
    h("span", {}, h("i", { class: "swatch swatch-start" }), "start"),
  );
}

function badges(categories) {
  return categories.map((c) => h("span", { class: `badge bg-${categoryGroup([c])}` }, c));
}

export async function render(main, params, signal) {
  const chains = await chainList();
  const req = traceRequest(params);
  main.append(h("h1", {}, "Trace"), traceForm(params, chains));
  if (req.addresses.length === 0) {
    main.append(muted("Give an address to trace."));
    return;
  }
  const native = await nativeOf(req.chain);
  const model = req.model ?? "haircut";
  const modelSwitch = h(
    "div",
    { class: "segmented", role: "group", "aria-label": "taint model" },
    MODELS.map((m) =>
      h(
        "button",
        {
          type: "button",
          "data-testid": `model-${m}`,
          "aria-pressed": String(m === model),
          title: MODEL_HELP[m],
          onclick: () => {
            if (m === model) return;
            const q = new URLSearchParams(params);
            q.set("model", m);
            go(`/ui/trace?${q}`);
          },
        },
        m,
      ),
    ),
  );
  const summary = h("p", { class: "summary", "data-testid": "trace-summary" }, "Tracing…");
  const warnings = h("div", {});
  const graphEl = h("div", { class: "graph", "data-testid": "trace-graph", "data-state": "loading" });
  const endpointsEl = h("div", { "data-testid": "endpoint-table" }, muted("Tracing…"));
  const details = h("div", { class: "details", "data-testid": "node-details", hidden: true });
  const exportsRow = h("div", { class: "row exports" });
  main.append(
    h("div", { class: "toolbar" }, h("span", { class: "muted" }, "Taint model "), modelSwitch, exportsRow),
    summary,
    warnings,
    h(
      "div",
      { class: "trace-layout" },
      h("div", { class: "graph-wrap" }, legend(), graphEl),
      h("aside", { class: "side" }, h("h2", {}, "Endpoints"), endpointsEl, details),
    ),
  );

  const t0 = performance.now();
  let r;
  try {
    r = await api("/v1/trace", { method: "POST", body: req, signal });
  } catch (e) {
    graphEl.dataset.state = "error";
    fill(summary, errorBox(e));
    fill(endpointsEl);
    return;
  }
  const t1 = performance.now();
  const info = assetInfo(r, native);
  const state = { r, info, edges: [...r.edges], hopOf: new Map() };
  const cy = createGraph(graphEl, r, info);
  for (const n of cy.nodes()) state.hopOf.set(n.id(), n.data("hop"));
  const counted = () => {
    graphEl.dataset.nodes = String(cy.nodes().length);
    graphEl.dataset.edges = String(cy.edges().length);
  };
  afterPaint(() => {
    counted();
    graphEl.dataset.model = r.model;
    graphEl.dataset.state = "rendered";
    graphEl.dataset.fetchMs = String(Math.round(t1 - t0));
    graphEl.dataset.renderMs = String(Math.round(performance.now() - t1));
    graphEl.dataset.pageMs = String(Math.round(performance.now()));
  });

  fill(
    summary,
    `${r.direction} ${r.model} trace on ${r.chain} from ${r.start.map(shortAddress).join(", ")}, up to ${r.maxHops} hops: `,
    h("strong", {}, `${r.endpoints.length} endpoints`),
    `, ${r.nodes.length} wallets and ${r.edges.length} transfers drawn; ${r.stats.addressesVisited} addresses followed.`,
  );
  const limits = [];
  if (r.stats.truncated) limits.push("The address budget cut the trace short: funds may have gone further.");
  if (r.stats.missing.txids.length || r.stats.missing.addresses.length)
    limits.push(
      `${r.stats.missing.txids.length} transactions and ${r.stats.missing.addresses.length} addresses could not be loaded; what they carried is not counted.`,
    );
  for (const g of r.stats.gaps ?? []) limits.push(g.message);
  fill(
    warnings,
    limits.map((l) => h("p", { class: "warn" }, l)),
  );

  const select = (key) => {
    const n = cy.getElementById(key);
    if (n.empty()) return;
    cy.elements().unselect();
    n.select();
    cy.animate({ center: { eles: n }, duration: 200 });
    showDetails(n.data());
    const side = details.parentElement;
    side.scrollTo({ top: details.offsetTop - side.offsetTop - 8, behavior: "smooth" });
  };
  const showDetails = (d) => nodeDetails(details, d, state, req, { expand: () => expand(d) });
  cy.on("tap", "node", (ev) => showDetails(ev.target.data()));

  const expand = async (d) => {
    const body = { ...req, addresses: [d.address], maxHops: 1 };
    delete body.targets;
    const x = await api("/v1/trace", { method: "POST", body, signal });
    const have = new Set(cy.nodes().map((n) => n.id()));
    const { nodes, edges } = elementsOf(x, assetInfo(x, native), { expansion: true, hopOffset: d.hop, have });
    const fresh = edges.filter((e) => cy.getElementById(e.data.id).empty());
    cy.add([...nodes, ...fresh]);
    state.edges.push(...x.edges.filter((e) => fresh.some((f) => f.data.id === edgeId(e))));
    layout(cy, r.direction);
    afterPaint(counted);
    return {
      nodes: nodes.length,
      edges: fresh.length,
      missing: x.stats.missing.txids.length + x.stats.missing.addresses.length,
    };
  };

  fill(endpointsEl, endpointsTable(r, info, select));
  exportButtons(exportsRow, req, r, cy);
}

function endpointsTable(r, info, select) {
  if (!r.endpoints.length)
    return muted("No endpoint: the traced funds reached no wallet where the trace ended.");
  const rank = (e) => GROUPS.findIndex((g) => g.group === categoryGroup(e.categories));
  const eps = [...r.endpoints].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (BigInt(b.amount) > BigInt(a.amount) ? 1 : BigInt(b.amount) < BigInt(a.amount) ? -1 : 0),
  );
  return table(
    ["Wallet", "Amount", "Hops"],
    eps.map((e) =>
      h(
        "tr",
        {
          "data-testid": "endpoint-row",
          "data-address": e.address,
          "data-amount": String(e.amount),
          "data-asset": e.asset,
          tabindex: 0,
          class: "clickable",
          onclick: () => select(nodeKey(e.address, e.asset)),
          onkeydown: (ev) => ev.key === "Enter" && select(nodeKey(e.address, e.asset)),
        },
        h(
          "td",
          {},
          h("i", { class: `dot bg-${categoryGroup(e.categories)}` }),
          e.labels[0] ? h("span", { class: "who" }, e.labels[0]) : null,
          h("div", { class: "addr small muted", title: e.address }, shortAddress(e.address)),
          badges(e.categories),
          e.stop ? h("span", { class: "muted small" }, " stop") : null,
        ),
        h("td", { class: "num", "data-testid": "endpoint-amount" }, amountText(e.amount, e.asset, info)),
        h("td", { class: "num" }, String(e.hops)),
      ),
    ),
    { class: "endpoints" },
  );
}

function nodeDetails(panel, d, state, req, actions) {
  panel.hidden = false;
  const labels = h("div", { "data-testid": "node-labels" }, muted("Loading labels…"));
  const cluster = h("div", {}, muted("Loading cluster…"));
  const txs = state.edges.filter((e) => e.asset === d.asset && (e.from === d.address || e.to === d.address));
  const q = new URLSearchParams({
    chain: req.chain,
    address: d.address,
    direction: req.direction ?? "forward",
    model: req.model ?? "haircut",
  });
  const expandBtn = h("button", { type: "button", "data-testid": "expand" }, "Expand one hop");
  const expandNote = h("span", { class: "muted small" });
  expandBtn.addEventListener("click", async () => {
    expandBtn.disabled = true;
    try {
      const n = await actions.expand();
      fill(
        expandNote,
        ` +${n.nodes} wallets, +${n.edges} transfers (dashed: all the funds this wallet moved, not only the traced taint)`,
      );
    } catch (e) {
      fill(expandNote, errorBox(e));
    } finally {
      expandBtn.disabled = false;
    }
  });
  fill(
    panel,
    h("h2", {}, d.labels[0] ?? "Wallet"),
    h("p", {}, addressLink(req.chain, d.address)),
    h(
      "p",
      {},
      `${amountText(d.amount, d.asset, state.info)} of traced funds at hop ${d.hop}`,
      d.start ? " (start)" : "",
      d.endpoint ? " (endpoint)" : "",
    ),
    h(
      "div",
      { class: "row" },
      expandBtn,
      h("a", { class: "button subtle", href: `/ui/trace?${q}` }, "Trace from here"),
    ),
    expandNote,
    h("h3", {}, "Labels"),
    labels,
    h("h3", {}, "Cluster"),
    cluster,
    h("h3", {}, `Transactions behind its edges (${txs.length})`),
    txs.length
      ? table(
          ["", "Transaction", "Counterparty", "Amount"],
          txs.map((e) => [
            e.to === d.address ? "in" : "out",
            h("code", { title: e.txid }, `${e.txid.slice(0, 14)}…`),
            addressLink(
              req.chain,
              e.to === d.address ? e.from : e.to,
              shortAddress(e.to === d.address ? e.from : e.to),
            ),
            h("span", { class: "num" }, amountText(e.amount, e.asset, state.info)),
          ]),
          { class: "small" },
        )
      : muted("None drawn."),
  );
  api(`/v1/addresses/${enc(req.chain)}/${enc(d.address)}`)
    .then((i) =>
      fill(
        labels,
        i.labels.length
          ? table(
              ["Label", "Category", "Source"],
              i.labels.map((l) => [
                l.label,
                badges([l.category]),
                [l.source, l.reference ? ` (${l.reference})` : ""].join(""),
              ]),
              { class: "small" },
            )
          : muted("No label."),
      ),
    )
    .catch((e) => fill(labels, errorBox(e)));
  api(`/v1/clusters/${enc(req.chain)}/${enc(d.address)}`)
    .then((c) =>
      fill(
        cluster,
        c.size > 1
          ? h(
              "p",
              {},
              `${c.size} addresses of one owner${c.isService ? " (a service)" : ""}, merged on ${c.evidence.length} pieces of evidence. `,
              addressLink(req.chain, d.address, "Members and evidence"),
            )
          : muted("Not merged with any other address."),
      ),
    )
    .catch((e) => fill(cluster, errorBox(e)));
}

function exportButtons(row, req, r, cy) {
  const name = `fundtrace-${r.chain}-${shortAddress(r.start[0] ?? "trace").replace(/…/, "-")}-${r.direction}-${r.model}`;
  const server = (format) => async () => {
    const blob = await api(`/v1/trace/export?format=${format}`, { method: "POST", body: req, as: "blob" });
    download(blob, `${name}.${format}`);
  };
  const button = (label, fn, testid) =>
    h("button", {
      type: "button",
      class: "subtle",
      "data-testid": testid,
      onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          await fn();
        } catch (e) {
          row.append(errorBox(e));
        } finally {
          ev.target.disabled = false;
        }
      },
      text: label,
    });
  const saveName = h("input", { placeholder: "query name", size: 12, "aria-label": "query name" });
  const saved = h("span", { class: "small" });
  fill(
    row,
    h("span", { class: "muted" }, "Export "),
    button(
      "PNG",
      async () =>
        download(
          await cy.png({ output: "blob-promise", full: true, scale: 2, bg: "#ffffff" }),
          `${name}.png`,
        ),
      "export-png",
    ),
    button("SVG", server("svg"), "export-svg"),
    button("CSV", server("csv"), "export-csv"),
    button("GraphML", server("graphml"), "export-graphml"),
    button("Report", server("html"), "export-html"),
    h("span", { class: "sep" }),
    saveName,
    button(
      "Save as query",
      async () => {
        const n = saveName.value.trim();
        if (!n) return fill(saved, "give the query a name");
        await api("/v1/queries", { method: "POST", body: { name: n, params: req } });
        fill(saved, " saved: ", h("a", { href: `/ui/queries?name=${enc(n)}` }, n));
      },
      "save-query",
    ),
    saved,
  );
}
