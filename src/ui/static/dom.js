/** Building the page without markup strings: every text from data goes in as text, never as HTML. */

/** h("a", { href, class: "x", onclick }, "text", child) → an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k === "value") el.value = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table from column headings and rows of cells (strings or elements); rows may carry attributes. */
export function table(headings, rows, attrs = {}) {
  return h(
    "table",
    attrs,
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        headings.map((x) => h("th", {}, x)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((r) =>
        r instanceof Node
          ? r
          : h(
              "tr",
              {},
              r.map((c) => h("td", {}, c)),
            ),
      ),
    ),
  );
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

export function muted(text) {
  return h("p", { class: "muted" }, text);
}

export function errorBox(e) {
  return h("p", { class: "error", role: "alert" }, e?.message ?? String(e));
}

/** A link inside the UI (navigates without reloading the page, so an API key given stays in memory). */
export function link(href, ...children) {
  return h("a", { href }, ...children);
}

export function addressLink(chain, address, text) {
  return h(
    "a",
    { href: `/ui/address?${new URLSearchParams({ chain, address })}`, class: "addr", title: address },
    text ?? address,
  );
}

const BAND_CLASS = {
  none: "band-none",
  low: "band-low",
  medium: "band-medium",
  high: "band-high",
  severe: "band-severe",
};

export function riskBadge(risk) {
  return h(
    "span",
    { class: `badge ${BAND_CLASS[risk.band] ?? ""}`, title: `score ${risk.score}` },
    `risk ${risk.band}`,
  );
}

/** Starts a download of text or a blob under a file name (nothing leaves the page: an object URL). */
export function download(data, name, type = "application/octet-stream") {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
