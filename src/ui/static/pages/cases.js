import { api, chainList, enc } from "../api.js";
import { go } from "../app.js";
import { addressLink, download, errorBox, fill, h, muted, section, table } from "../dom.js";
import { evidenceButtons } from "./queries.js";

/** A small form that POSTs its fields as JSON, then calls `done`. */
function postForm(testid, fields, submitText, url, done) {
  const status = h("span", { class: "small" });
  const form = h(
    "form",
    { class: "inline-form", "data-testid": testid, autocomplete: "off" },
    fields,
    h("button", { type: "submit" }, submitText),
    status,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const el of form.elements) if (el.name && el.value.trim()) body[el.name] = el.value.trim();
    try {
      const r = await api(url, { method: "POST", body });
      form.reset();
      fill(status);
      await done(r, body);
    } catch (e) {
      fill(status, errorBox(e));
    }
  });
  return form;
}

async function one(main, name, signal) {
  const c = await api(`/v1/cases/${enc(name)}`, { signal });
  const chains = await chainList();
  const { queries: saved } = await api("/v1/queries", { signal });
  const reload = () => go(`/ui/cases?name=${enc(name)}`, { replace: true });
  const tagpack = h("button", { type: "button", class: "subtle" }, "Export TagPack (YAML)");
  tagpack.addEventListener("click", async () => {
    download(
      await api(`/v1/cases/${enc(name)}/tagpack`, { as: "text" }),
      `${name}.tagpack.yaml`,
      "application/yaml",
    );
  });
  main.append(
    h("h1", {}, c.title || c.name),
    c.description ? h("p", { class: "lede" }, c.description) : null,
    h("p", { class: "muted" }, `case ${c.name} · created ${c.createdAt} · updated ${c.updatedAt} `, tagpack),
    section(
      `Wallets (${c.wallets.length})`,
      c.wallets.length
        ? table(
            ["Chain", "Address", "Label", "Category", "Note", "Added", ""],
            c.wallets.map((w) => [
              w.chain,
              addressLink(w.chain, w.address),
              w.label ?? "",
              w.category ?? "",
              w.note ?? "",
              w.addedAt,
              h(
                "a",
                {
                  class: "button subtle",
                  href: `/ui/trace?${new URLSearchParams({ chain: w.chain, address: w.address })}`,
                },
                "Trace",
              ),
            ]),
            { "data-testid": "case-wallets" },
          )
        : muted("No wallet flagged yet."),
      postForm(
        "add-wallet",
        [
          h(
            "select",
            { name: "chain", "aria-label": "chain" },
            chains.map((x) => h("option", { value: x.name }, x.name)),
          ),
          h("input", {
            name: "address",
            placeholder: "address",
            required: true,
            size: 40,
            spellcheck: "false",
          }),
          h("input", { name: "label", placeholder: "label" }),
          h("input", { name: "category", placeholder: "category" }),
          h("input", { name: "note", placeholder: "note" }),
        ],
        "Flag wallet",
        `/v1/cases/${enc(name)}/wallets`,
        reload,
      ),
    ),
    section(
      `Notes (${c.notes.length})`,
      c.notes.length
        ? h(
            "ul",
            { class: "notes" },
            c.notes.map((n) => h("li", {}, h("span", { class: "muted small" }, `${n.createdAt} `), n.text)),
          )
        : muted("No note yet."),
      postForm(
        "add-note",
        [h("input", { name: "text", placeholder: "note", required: true, size: 60 })],
        "Add note",
        `/v1/cases/${enc(name)}/notes`,
        reload,
      ),
    ),
    section(
      `Queries and evidence (${c.queries.length})`,
      c.queries.length
        ? table(
            ["Query", "Chain", "From", "Last run", "Evidence of the latest run"],
            c.queries.map((q) => [
              h("a", { href: `/ui/queries?name=${enc(q.name)}` }, q.name),
              q.chain,
              q.addresses.length === 1
                ? addressLink(q.chain, q.addresses[0])
                : `${q.addresses.length} addresses`,
              q.lastRun ?? "never",
              q.lastRun ? evidenceButtons(q.name) : muted("run it first"),
            ]),
            { "data-testid": "case-queries" },
          )
        : muted("No saved query attached."),
      saved.length
        ? postForm(
            "add-query",
            [
              h(
                "select",
                { name: "query", "aria-label": "saved query" },
                saved.map((q) => h("option", { value: q.name }, q.name)),
              ),
            ],
            "Attach query",
            `/v1/cases/${enc(name)}/queries`,
            reload,
          )
        : null,
    ),
  );
}

export async function render(main, params, signal) {
  const name = params.get("name");
  if (name) return one(main, name, signal);
  main.append(h("h1", {}, "Cases"));
  const body = h("div", {}, muted("Loading…"));
  main.append(
    section("Cases", body),
    section(
      "New case",
      postForm(
        "create-case",
        [
          h("input", { name: "name", placeholder: "short name", required: true, pattern: "[A-Za-z0-9_.-]+" }),
          h("input", { name: "title", placeholder: "title", size: 40 }),
          h("input", { name: "description", placeholder: "description", size: 50 }),
        ],
        "Create",
        "/v1/cases",
        (_r, b) => go(`/ui/cases?name=${enc(b.name)}`),
      ),
    ),
  );
  try {
    const { cases } = await api("/v1/cases", { signal });
    fill(
      body,
      cases.length
        ? table(
            ["Case", "Title", "Wallets", "Queries", "Notes", "Updated"],
            cases.map((c) => [
              h("a", { href: `/ui/cases?name=${enc(c.name)}` }, c.name),
              c.title,
              String(c.wallets),
              String(c.queries),
              String(c.notes),
              c.updatedAt,
            ]),
            { "data-testid": "case-list" },
          )
        : muted("No case yet."),
    );
  } catch (e) {
    fill(body, errorBox(e));
  }
}
