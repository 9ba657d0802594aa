import { categoryGroup, formatAmount, shortAddress } from "/ui/lib.js";
import { api, chainList, enc } from "../api.js";
import { go } from "../app.js";
import { addressLink, errorBox, fill, h, muted, section, table } from "../dom.js";

/** The status filter: the API's statuses, and everything. */
const FILTERS = [
  ["", "All"],
  ["new", "Open"],
  ["acked", "Acknowledged"],
];
/** One page of alerts; when the API returns this many, the page says there may be more. */
const LIMIT = 500;

/** "2026-01-31T12:00:00.000Z" → "2026-01-31 12:00:00Z": readable, still exact and sortable. */
const when = (iso) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "");

/** The alert's amount with its decimals and symbol (exact: string/BigInt formatting, no JS number). */
function amountOf(a, amount) {
  return formatAmount(amount, a.decimals ?? null, a.symbol ?? (a.decimals == null ? a.asset : null));
}

function wallet(chains, chain, address) {
  return chains.has(chain)
    ? addressLink(chain, address, shortAddress(address))
    : h("span", { class: "addr", title: address }, shortAddress(address));
}

function amountCell(a) {
  if (a.amount === undefined) return h("td", {});
  return h(
    "td",
    { class: "amount", "data-testid": "alert-amount", "data-amount": a.amount },
    amountOf(a, a.amount),
    a.previousAmount === undefined
      ? null
      : h("div", { class: "muted small" }, `was ${amountOf(a, a.previousAmount)}`),
  );
}

/** Which watched thing raised it: a saved query and its run, or a watchlist. */
function sourceCell(a) {
  const parts = [];
  if (a.query)
    parts.push(
      h("a", { href: `/ui/queries?name=${enc(a.query)}`, class: "nowrap" }, `query ${a.query}`),
      a.run ? h("div", { class: "muted small", title: a.run }, `run ${a.run.slice(0, 8)}`) : null,
    );
  if (a.watchlist) parts.push(h("div", { class: "nowrap" }, `watchlist ${a.watchlist}`));
  if (a.dataset) parts.push(h("div", { class: "muted small" }, `labels ${a.dataset}`));
  return parts;
}

function statusCell(a) {
  return [
    h(
      "span",
      { class: `status status-${a.status}`, "data-testid": "alert-status" },
      a.status === "acked" ? "acknowledged" : "open",
    ),
    a.ackedAt ? h("div", { class: "muted small" }, when(a.ackedAt)) : null,
    h("div", { class: "muted small", title: "webhook delivery" }, `delivery ${a.delivery}`),
  ];
}

function alertRow(a, chains) {
  const ack = h("button", { type: "button", class: "subtle", "data-testid": "alert-ack" }, "Acknowledge");
  const row = h(
    "tr",
    { "data-testid": "alert-row", "data-id": a.id, "data-address": a.address, "data-status": a.status },
    h("td", { class: "nowrap" }, when(a.createdAt)),
    h("td", {}, a.trigger, h("div", { class: "muted small" }, a.kind)),
    h("td", {}, h("span", { class: "chain" }, a.chain)),
    h(
      "td",
      {},
      wallet(chains, a.chain, a.address),
      a.endpoint
        ? h(
            "div",
            { class: "small" },
            a.direction === "in" ? "from " : "to ",
            wallet(chains, a.chain, a.endpoint),
          )
        : null,
    ),
    h(
      "td",
      {},
      a.categories.map((c) => h("span", { class: `badge bg-${categoryGroup([c])}` }, c)),
    ),
    amountCell(a),
    h("td", {}, sourceCell(a)),
    h("td", {}, statusCell(a)),
    h("td", {}, a.status === "acked" ? null : ack),
  );
  const message = h("tr", { class: "alert-message" }, h("td", { colspan: 9 }, a.message));
  ack.addEventListener("click", async () => {
    ack.disabled = true;
    try {
      const done = await api(`/v1/alerts/${enc(a.id)}/ack`, { method: "POST" });
      const [next, nextMessage] = alertRow(done, chains);
      row.replaceWith(next);
      message.replaceWith(nextMessage);
    } catch (e) {
      ack.disabled = false;
      ack.after(errorBox(e));
    }
  });
  return [row, message];
}

function filterSwitch(status) {
  return h(
    "div",
    { class: "segmented", role: "group", "aria-label": "status", "data-testid": "alert-filter" },
    FILTERS.map(([value, text]) =>
      h(
        "button",
        {
          type: "button",
          "data-status": value || "all",
          "aria-pressed": String(value === status),
          onclick: () => {
            if (value !== status) go(value ? `/ui/alerts?status=${value}` : "/ui/alerts");
          },
        },
        text,
      ),
    ),
  );
}

/** Alerts of the watch, newest first, with the status filter in the URL; acknowledge one in place. */
export async function render(main, params, signal) {
  const status = FILTERS.some(([v]) => v && v === params.get("status")) ? params.get("status") : "";
  const chains = new Set((await chainList()).map((c) => c.name));
  const body = h("div", { "data-testid": "alert-list" }, muted("Loading…"));
  main.append(
    h("h1", {}, "Alerts"),
    h(
      "p",
      { class: "lede" },
      "Raised by the watch: a saved query's rerun reaching a new endpoint, a label import listing or delisting an address, a watched wallet paying or paid by a labelled address.",
    ),
    h("div", { class: "toolbar" }, filterSwitch(status)),
    section(
      status === "new" ? "Open alerts" : status === "acked" ? "Acknowledged alerts" : "All alerts",
      body,
    ),
  );
  const q = new URLSearchParams({ limit: String(LIMIT) });
  if (status) q.set("status", status);
  let alerts;
  try {
    ({ alerts } = await api(`/v1/alerts?${q}`, { signal }));
  } catch (e) {
    if (e?.name === "AbortError") throw e;
    fill(body, errorBox(e));
    return;
  }
  fill(
    body,
    alerts.length
      ? [
          alerts.length === LIMIT
            ? h(
                "p",
                { class: "warn" },
                `Showing the newest ${LIMIT} only: older alerts are not listed here (fundtrace alerts --limit 10000 lists more).`,
              )
            : muted(`${alerts.length} alert${alerts.length === 1 ? "" : "s"}, newest first.`),
          table(
            ["Raised", "Trigger", "Chain", "Wallet", "Category", "Amount", "Source", "Status", ""],
            alerts.flatMap((a) => alertRow(a, chains)),
            { class: "alerts" },
          ),
        ]
      : muted(
          status === "acked"
            ? "No acknowledged alerts."
            : status === "new"
              ? "No open alerts."
              : "No alerts.",
        ),
  );
}
