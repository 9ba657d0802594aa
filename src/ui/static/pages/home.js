import { api, chainList } from "../api.js";
import { errorBox, fill, h, muted, section, table } from "../dom.js";

/** The start page: look up or trace an address; the cases and saved queries at hand. */
export async function render(main, _params, signal) {
  const chains = await chainList();
  const chainSelect = () =>
    h(
      "select",
      { name: "chain" },
      chains.map((c) => h("option", { value: c.name }, c.name)),
    );
  const form = h(
    "form",
    { class: "stack", "data-testid": "start-form" },
    h("label", {}, "Chain ", chainSelect()),
    h(
      "label",
      {},
      "Address ",
      h("input", { name: "address", required: true, spellcheck: "false", size: 64 }),
    ),
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", name: "go", value: "address" }, "Look up"),
      h("button", { type: "submit", name: "go", value: "trace" }, "Trace forward"),
    ),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const chain = form.elements.namedItem("chain").value;
    const address = form.elements.namedItem("address").value.trim();
    const { go } = await import("../app.js");
    if (ev.submitter?.value === "trace") go(`/ui/trace?${new URLSearchParams({ chain, address })}`);
    else go(`/ui/address?${new URLSearchParams({ chain, address })}`);
  });
  const cases = h("div", {}, muted("Loading…"));
  const queries = h("div", {}, muted("Loading…"));
  main.append(
    h("h1", {}, "Follow the money"),
    h(
      "p",
      { class: "lede" },
      "Look up a wallet (labels, cluster, exposure) or trace where its funds went, hop by hop, to exchanges, sanctioned and terror-financing wallets.",
    ),
    section("Start", form),
    h("div", { class: "grid2" }, section("Cases", cases), section("Saved queries", queries)),
  );
  api("/v1/cases", { signal })
    .then((r) =>
      fill(
        cases,
        r.cases.length
          ? table(
              ["Case", "Title", "Wallets", "Queries"],
              r.cases.map((c) => [
                h("a", { href: `/ui/cases?name=${encodeURIComponent(c.name)}` }, c.name),
                c.title,
                String(c.wallets),
                String(c.queries),
              ]),
            )
          : muted("No case yet."),
      ),
    )
    .catch((e) => fill(cases, errorBox(e)));
  api("/v1/queries", { signal })
    .then((r) =>
      fill(
        queries,
        r.queries.length
          ? table(
              ["Query", "Chain", "Runs"],
              r.queries.map((q) => [
                h("a", { href: `/ui/queries?name=${encodeURIComponent(q.name)}` }, q.name),
                q.params.chain,
                String(q.runs),
              ]),
            )
          : muted("No saved query yet."),
      ),
    )
    .catch((e) => fill(queries, errorBox(e)));
}
