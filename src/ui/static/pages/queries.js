import { formatAmount, shortAddress } from "/ui/lib.js";
import { api, enc, nativeOf } from "../api.js";
import { addressLink, download, errorBox, fill, h, muted, section, table } from "../dom.js";

/** The trace page's URL for saved trace parameters. */
export function traceHref(p) {
  const q = new URLSearchParams({ chain: p.chain });
  for (const a of p.addresses ?? []) q.append("address", a);
  if (p.direction) q.set("direction", p.direction);
  if (p.model) q.set("model", p.model);
  if (p.maxHops) q.set("hops", String(p.maxHops));
  if (p.stopAt) q.set("stopAt", p.stopAt.join(","));
  const to = [...(p.targets?.categories ?? []), ...(p.targets?.addresses ?? [])];
  if (to.length) q.set("to", to.join(","));
  if (p.minValue) q.set("minValue", p.minValue);
  if (p.maxAddresses) q.set("maxAddresses", String(p.maxAddresses));
  return `/ui/trace?${q}`;
}

/** Downloads of a saved query's latest run: evidence package, endpoints, graph, report. */
export function evidenceButtons(name) {
  const get = (format, ext) => async (ev) => {
    ev.target.disabled = true;
    try {
      const blob = await api(`/v1/queries/${enc(name)}/runs/latest/evidence?format=${format}`, {
        as: "blob",
      });
      download(blob, `${name}-evidence.${ext}`);
    } catch (e) {
      ev.target.after(errorBox(e));
    } finally {
      ev.target.disabled = false;
    }
  };
  return h(
    "span",
    { class: "row" },
    h("button", { type: "button", class: "subtle", onclick: get("json", "json") }, "Evidence (JSON)"),
    h("button", { type: "button", class: "subtle", onclick: get("html", "html") }, "Report (HTML)"),
    h("button", { type: "button", class: "subtle", onclick: get("csv", "csv") }, "CSV"),
    h("button", { type: "button", class: "subtle", onclick: get("graphml", "graphml") }, "GraphML"),
  );
}

function runView(run, amount) {
  const d = run.diff;
  const lines = [];
  if (!d) lines.push(muted("First run: nothing to compare with."));
  else if (
    !d.newEndpoints.length &&
    !d.changedAmounts.length &&
    !d.newPaths.length &&
    !d.goneEndpoints.length
  )
    lines.push(muted("No change from the run before."));
  else {
    if (d.newEndpoints.length)
      lines.push(
        h("h4", {}, "New endpoints"),
        table(
          ["Wallet", "Amount", "Hops", "Categories"],
          d.newEndpoints.map((e) => [
            shortAddress(e.address),
            amount(e),
            String(e.hops),
            e.categories.join(", "),
          ]),
        ),
      );
    if (d.changedAmounts.length)
      lines.push(
        h("h4", {}, "Amounts changed"),
        table(
          ["Wallet", "Before", "Now", "Change"],
          d.changedAmounts.map((c) => [
            shortAddress(c.address),
            amount({ ...c, amount: c.previous }),
            amount({ ...c, amount: c.current }),
            amount({ ...c, amount: c.delta }),
          ]),
        ),
      );
    if (d.newPaths.length)
      lines.push(
        h("h4", {}, "New paths"),
        h(
          "ul",
          {},
          d.newPaths.map((p) => h("li", {}, `to ${shortAddress(p.address)}: `, h("code", {}, p.path))),
        ),
      );
    if (d.goneEndpoints.length)
      lines.push(
        h("h4", {}, "Endpoints gone"),
        table(
          ["Wallet", "Amount"],
          d.goneEndpoints.map((e) => [shortAddress(e.address), amount(e)]),
        ),
      );
  }
  lines.push(
    h("h4", {}, "Endpoints of this run"),
    table(
      ["Wallet", "Amount", "Hops", "Categories"],
      run.endpoints.map((e) => [shortAddress(e.address), amount(e), String(e.hops), e.categories.join(", ")]),
      { class: "small" },
    ),
  );
  return h(
    "details",
    { class: "run", "data-testid": "run" },
    h(
      "summary",
      {},
      `${run.startedAt}: ${run.endpoints.length} endpoints`,
      d
        ? ` (${d.newEndpoints.length} new, ${d.changedAmounts.length} changed, ${d.goneEndpoints.length} gone)`
        : " (first run)",
      h("code", { class: "muted small" }, ` ${run.digest.slice(0, 12)}`),
    ),
    lines,
  );
}

async function one(main, name, signal) {
  const { queries } = await api("/v1/queries", { signal });
  const q = queries.find((x) => x.name === name);
  if (!q) {
    main.append(h("h1", {}, name), errorBox(new Error(`no saved query named "${name}"`)));
    return;
  }
  const native = await nativeOf(q.params.chain);
  const amount = (e) =>
    e.asset === native?.symbol
      ? formatAmount(e.amount, native.decimals, native.symbol)
      : formatAmount(e.amount, null, e.asset);
  const history = h("div", { "data-testid": "run-history" }, muted("Loading runs…"));
  const load = () =>
    api(`/v1/queries/${enc(name)}/runs`, { signal })
      .then((r) => fill(history, r.runs.length ? r.runs.map((x) => runView(x, amount)) : muted("Never run.")))
      .catch((e) => fill(history, errorBox(e)));
  const runBtn = h("button", { type: "button", "data-testid": "run-query" }, "Run now");
  runBtn.addEventListener("click", async () => {
    runBtn.disabled = true;
    try {
      await api(`/v1/queries/${enc(name)}/run`, { method: "POST" });
      await load();
      history.querySelector("details")?.setAttribute("open", "");
    } catch (e) {
      history.prepend(errorBox(e));
    } finally {
      runBtn.disabled = false;
    }
  });
  const p = q.params;
  main.append(
    h("h1", {}, `Saved query ${name}`),
    h(
      "p",
      {},
      `${p.direction ?? "forward"} ${p.model ?? "haircut"} trace on ${p.chain}, up to ${p.maxHops ?? 5} hops, from `,
      p.addresses.map((a, i) => [i ? ", " : "", addressLink(p.chain, a, shortAddress(a))]),
    ),
    h(
      "div",
      { class: "row" },
      runBtn,
      h("a", { class: "button subtle", href: traceHref(p) }, "Open as a trace"),
    ),
    section("Latest run's evidence", evidenceButtons(name)),
    section("Run history (newest first), with what changed", history),
  );
  await load();
}

export async function render(main, params, signal) {
  const name = params.get("name");
  if (name) return one(main, name, signal);
  main.append(h("h1", {}, "Saved queries"));
  const body = h("div", {}, muted("Loading…"));
  main.append(
    section(
      "Queries",
      body,
      muted(
        "Save a trace from the trace page (“Save as query”); each run records what changed since the last.",
      ),
    ),
  );
  try {
    const { queries } = await api("/v1/queries", { signal });
    fill(
      body,
      queries.length
        ? table(
            ["Name", "Chain", "From", "Model", "Hops", "Runs", "Last run", ""],
            queries.map((q) => [
              h("a", { href: `/ui/queries?name=${enc(q.name)}` }, q.name),
              q.params.chain,
              q.params.addresses.map(shortAddress).join(", "),
              q.params.model ?? "haircut",
              String(q.params.maxHops ?? 5),
              String(q.runs),
              q.lastRun ?? "never",
              h("a", { href: traceHref(q.params), class: "button subtle" }, "Trace"),
            ]),
            { "data-testid": "query-list" },
          )
        : muted("No saved query yet."),
    );
  } catch (e) {
    fill(body, errorBox(e));
  }
}
