import { chainList } from "./api.js";
import { errorBox, fill, h } from "./dom.js";

/** One page per path; the state of each is in the query string, so every view can be bookmarked. */
const PAGES = {
  "": () => import("./pages/home.js"),
  address: () => import("./pages/address.js"),
  trace: () => import("./pages/trace.js"),
  queries: () => import("./pages/queries.js"),
  cases: () => import("./pages/cases.js"),
  alerts: () => import("./pages/alerts.js"),
};

const main = document.getElementById("main");
let current;

async function route() {
  current?.abort();
  const ctl = new AbortController();
  current = ctl;
  const page = location.pathname.replace(/^\/ui\/?/, "").split("/")[0];
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.nav === page);
  const load = PAGES[page];
  if (!load) {
    fill(main, h("h1", {}, "No such page"), h("p", {}, h("a", { href: "/ui" }, "Start again")));
    return;
  }
  try {
    const mod = await load();
    if (ctl.signal.aborted) return;
    fill(main);
    await mod.render(main, new URLSearchParams(location.search), ctl.signal);
  } catch (e) {
    if (ctl.signal.aborted || e?.name === "AbortError") return;
    fill(main, errorBox(e));
  }
}

/** Moves to another page of the UI without a reload (an API key given stays in memory). */
export function go(href, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  window.scrollTo(0, 0);
  return route();
}

document.addEventListener("click", (ev) => {
  const a = ev.target instanceof Element ? ev.target.closest("a[href]") : null;
  if (
    !a ||
    a.target ||
    a.hasAttribute("download") ||
    ev.ctrlKey ||
    ev.metaKey ||
    ev.shiftKey ||
    ev.button !== 0
  )
    return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith("/ui")) return;
  ev.preventDefault();
  go(url.pathname + url.search);
});
window.addEventListener("popstate", route);

async function lookupForm() {
  const form = document.getElementById("lookup");
  const select = form.elements.namedItem("chain");
  for (const c of await chainList()) select.append(h("option", { value: c.name }, c.name));
  const q = new URLSearchParams(location.search);
  if (q.get("chain")) select.value = q.get("chain");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const address = form.elements.namedItem("address").value.trim();
    if (address) go(`/ui/address?${new URLSearchParams({ chain: select.value, address })}`);
  });
}

lookupForm();
route();
