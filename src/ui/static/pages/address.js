import { categoryGroup, formatAmount } from "/ui/lib.js";
import { api, enc, nativeOf } from "../api.js";
import { addressLink, errorBox, fill, h, muted, riskBadge, section, table } from "../dom.js";

const traceHref = (chain, addresses, direction) => {
  const q = new URLSearchParams({ chain, direction });
  for (const a of addresses) q.append("address", a);
  return `/ui/trace?${q}`;
};

function labelsTable(labels) {
  if (!labels.length) return muted("No label: no list fundtrace holds names this address.");
  return table(
    ["Label", "Category", "Source", "Program", "Reference", "Confidence"],
    labels.map((l) => [
      l.label,
      h("span", { class: `badge bg-${categoryGroup([l.category])}` }, l.category),
      l.source,
      l.program ?? "",
      l.reference ?? "",
      String(l.confidence),
    ]),
    { "data-testid": "address-labels" },
  );
}

const day = (t) => (t ? t.replace("T", " ").slice(0, 16) : "");

function statsTable(info, native) {
  const rows = info.assets?.length
    ? info.assets
    : [{ ...info.stats, symbol: native?.symbol ?? info.stats.asset, decimals: native?.decimals ?? null }];
  const amt = (a, v) => formatAmount(v, a.decimals, a.symbol);
  return h(
    "div",
    {},
    table(
      ["Asset", "Transactions", "Received", "Sent", "Balance", "First seen", "Last seen"],
      rows.map((a) => [
        a.symbol ?? a.asset,
        String(a.txCount),
        h("span", { class: "num" }, amt(a, a.received)),
        h("span", { class: "num" }, amt(a, a.sent)),
        h("span", { class: "num" }, amt(a, a.balance)),
        day(a.firstSeen),
        day(a.lastSeen),
      ]),
    ),
    info.stats.exact
      ? null
      : muted("Not every transaction of this address is stored: the figures may be incomplete."),
  );
}

function exposureTables(x, chain, native) {
  const amount = (e) =>
    e.asset === native?.symbol
      ? formatAmount(e.amount, native.decimals, native.symbol)
      : formatAmount(e.amount, null, e.asset);
  const rows = (list) =>
    list.map((e) => [
      h("span", { class: `badge bg-${categoryGroup([e.category])}` }, e.category),
      e.direction === "in" ? "received from" : "sent to",
      h("span", { class: "num" }, amount(e)),
      `${(e.shareBps / 100).toFixed(2)} %`,
      String(e.addresses),
    ]);
  const heads = ["Category", "Direction", "Amount", "Share", "Addresses"];
  return h(
    "div",
    { "data-testid": "exposure" },
    h("p", {}, riskBadge(x.risk), " ", x.risk.reasons.join("; ") || "no risk reason found"),
    h("h3", {}, "Direct (one transaction away)"),
    x.direct.length ? table(heads, rows(x.direct)) : muted("No direct exposure to a labelled category."),
    h("h3", {}, "Indirect (further away)"),
    x.indirect.length
      ? table(heads, rows(x.indirect))
      : muted("No indirect exposure to a labelled category."),
    x.truncated || x.missing.txids.length || x.missing.addresses.length || x.gaps.length
      ? h(
          "p",
          { class: "warn" },
          `Not everything was seen: ${x.truncated ? "the address budget was reached; " : ""}${x.missing.txids.length} transactions and ${x.missing.addresses.length} addresses could not be loaded${x.gaps.length ? `; ${x.gaps.map((g) => g.message).join("; ")}` : ""}.`,
        )
      : null,
    h("p", { class: "muted" }, `Computed over ${chain} with the haircut model, three hops each way.`),
  );
}

function clusterView(cl, chain, address) {
  if (cl.size <= 1)
    return muted(
      "This address has not been merged with any other (no multi-input spend or deposit pattern seen).",
    );
  return h(
    "div",
    { "data-testid": "cluster" },
    h(
      "p",
      {},
      `${cl.size} addresses of one owner${cl.isService ? " (a service: funds reaching it are not followed further)" : ""}. `,
      h("a", { href: traceHref(chain, cl.members, "forward"), class: "button" }, "Trace the whole cluster"),
    ),
    h("h3", {}, "Members"),
    h(
      "ul",
      { class: "members" },
      cl.members
        .slice(0, 500)
        .map((m) => h("li", {}, m === address ? h("strong", { class: "addr" }, m) : addressLink(chain, m))),
    ),
    cl.members.length > 500 ? muted(`and ${cl.members.length - 500} more`) : null,
    h("h3", {}, "Why they were merged"),
    cl.evidence.length
      ? table(
          ["Transaction", "Heuristic", "Addresses joined", "Confidence"],
          cl.evidence.map((e) => [
            h("code", {}, e.txid),
            e.heuristic,
            e.addresses.join(" + "),
            String(e.confidence),
          ]),
        )
      : muted("No merge evidence stored."),
  );
}

/** A card that loads on its own: a slow exposure never holds up the labels. */
function card(title, promise, view) {
  const body = h("div", {}, muted("Loading…"));
  promise.then((v) => fill(body, view(v))).catch((e) => fill(body, errorBox(e)));
  return section(title, body);
}

export async function render(main, params, signal) {
  const chain = params.get("chain") ?? "bitcoin";
  const address = (params.get("address") ?? "").trim();
  if (!address) {
    main.append(h("h1", {}, "Look up an address"), muted("Type an address in the box at the top."));
    return;
  }
  const native = await nativeOf(chain);
  const base = `/v1/addresses/${enc(chain)}/${enc(address)}`;
  const info = api(base, { signal });
  const badge = h("span", {});
  main.append(
    h(
      "h1",
      { class: "addr-title" },
      h("span", { class: "addr" }, address),
      " ",
      h("span", { class: "chain" }, chain),
      " ",
      badge,
    ),
    h(
      "div",
      { class: "row actions" },
      h(
        "a",
        { href: traceHref(chain, [address], "forward"), class: "button", "data-testid": "trace-forward" },
        "Trace forward",
      ),
      h("a", { href: traceHref(chain, [address], "backward"), class: "button" }, "Trace backward"),
      h(
        "a",
        { href: `${traceHref(chain, [address], "forward")}&model=poison`, class: "button subtle" },
        "Where could it have gone? (poison)",
      ),
    ),
    h(
      "div",
      { class: "grid2" },
      card("Labels", info, (i) => labelsTable(i.labels)),
      card("Activity per asset", info, (i) => statsTable(i, native)),
    ),
    card(
      "Exposure",
      api(`${base}/exposure?hops=3&direction=both`, { signal }).then((x) => {
        fill(badge, riskBadge(x.risk));
        return x;
      }),
      (x) => exposureTables(x, chain, native),
    ),
    card("Cluster", api(`/v1/clusters/${enc(chain)}/${enc(address)}`, { signal }), (cl) =>
      clusterView(cl, chain, address),
    ),
  );
}
