/**
 * The trace report for people who do not read JSON (a prosecutor, a judge, a partner agency): one
 * self-contained HTML file, no script and no outside resource (its own CSP forbids loading any),
 * the answer in plain words first, then the question, the picture, the endpoints, every path with
 * its transactions, the taint model, the label sources and the SHA-256 of every upstream answer.
 */
import type { LabelRecord } from "../../domain.ts";
import { type AssetInfo, amountText, assetInfo, type FlowTrace, GROUPS } from "./flow.ts";
import { esc, flowSvg } from "./svg.ts";
import {
  answerSentences,
  issuer,
  type LabelsOf,
  limitsSentences,
  modelSentences,
  rankedEndpoints,
  transactionsWord,
} from "./words.ts";

export interface ReportInput {
  result: FlowTrace;
  /** The trace as asked. */
  params: {
    chain: string;
    addresses: string[];
    direction?: string;
    model?: string;
    maxHops?: number;
    minValue?: string | bigint;
    stopAt?: string[];
    targets?: { categories?: string[]; addresses?: string[] };
    maxAddresses?: number;
  };
  generatedAt: string;
  version: string;
  /** A saved query's run, when the report is of one. */
  run?: { query: string; runId: string; startedAt: string };
  resultSha256: string;
  responses: { source: string; url: string; status: number; sha256: string; fetchedAt: string }[];
  unsourced: string[];
  /** Label records of the addresses in the result (endpoints and nodes). */
  labels: ReadonlyMap<string, readonly LabelRecord[]>;
  /** The chain's native asset (for amounts of nodes no endpoint names). */
  native?: { symbol: string; decimals: number };
}

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1c2730;max-width:1100px;margin:2em auto;padding:0 1.2em}
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.2em;margin:2em 0 .5em;border-bottom:2px solid #cfd8dc;padding-bottom:.2em}
h3{font-size:1em;margin:1.4em 0 .4em}.meta{color:#546e7a;margin:0}
.answer{background:#fff8e1;border-left:5px solid #f9a825;padding:.8em 1.2em;font-size:1.08em}
.answer p{margin:.35em 0}.limits{background:#fdecea;border-left:5px solid #c62828;padding:.6em 1.2em}
table{border-collapse:collapse;width:100%;font-size:.92em;margin:.4em 0}th,td{border:1px solid #cfd8dc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eceff1}td.amount{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
code,.addr{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em;word-break:break-all}
.badge{display:inline-block;border-radius:3px;padding:0 .4em;color:#fff;font-size:.82em;margin:0 .2em .1em 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{color:#546e7a}dd{margin:0}
.flow{overflow-x:auto;border:1px solid #cfd8dc;padding:.4em}.note{color:#546e7a;font-size:.9em}
@media print{body{margin:0;max-width:none}.flow{overflow:visible}.flow svg{width:100%;height:auto}h2{break-after:avoid}tr{break-inside:avoid}}
`;

function badges(categories: readonly string[]): string {
  return categories
    .map((c) => {
      const g = GROUPS.find((x) => x.categories.includes(c)) ?? GROUPS.find((x) => x.group === "other")!;
      return `<span class="badge" style="background:${g.colour}">${esc(c)}</span>`;
    })
    .join("");
}

function question(input: ReportInput, r: FlowTrace): string {
  const p = input.params;
  const rows: [string, string][] = [
    [
      r.start.length > 1 ? "Wallets" : "Wallet",
      r.start.map((a) => `<span class="addr">${esc(a)}</span>`).join("<br>"),
    ],
    ["Chain", esc(r.chain)],
    [
      "Direction",
      r.direction === "forward" ? "forward (where the funds went)" : "backward (where the funds came from)",
    ],
    ["Taint model", esc(r.model)],
    ["Hop limit", `${r.maxHops} (${esc(transactionsWord(r.maxHops))})`],
    ["Stop at", esc((p.stopAt ?? ["exchange"]).join(", ") || "nothing")],
  ];
  if (p.targets)
    rows.push([
      "Only paths to",
      esc([...(p.targets.categories ?? []), ...(p.targets.addresses ?? [])].join(", ")),
    ]);
  if (p.minValue !== undefined) rows.push(["Ignore pieces below", `${esc(String(p.minValue))} base units`]);
  if (p.maxAddresses !== undefined) rows.push(["Address budget", esc(p.maxAddresses)]);
  if (input.run)
    rows.push([
      "Saved query",
      `${esc(input.run.query)} (run ${esc(input.run.runId)} of ${esc(input.run.startedAt)})`,
    ]);
  rows.push(["Asked at", esc(input.run?.startedAt ?? input.generatedAt)]);
  rows.push(["Report written", `${esc(input.generatedAt)} by fundtrace ${esc(input.version)}`]);
  return `<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

function endpointsTable(r: FlowTrace, info: (a: string) => AssetInfo): string {
  const eps = rankedEndpoints(r);
  if (eps.length === 0)
    return `<p>No endpoint: the traced funds reached no wallet where the trace ended.</p>`;
  const rows = eps.map(
    (e, i) =>
      `<tr data-address="${esc(e.address)}" data-asset="${esc(e.asset)}"><td>${i + 1}</td><td class="addr">${esc(e.address)}</td><td>${badges(e.categories)}${esc(e.labels.join("; "))}${e.stop ? " <em>(stop: not followed)</em>" : ""}</td><td class="amount" data-amount="${esc(String(e.amount))}">${esc(amountText(e.amount, e.asset, info))}</td><td>${e.hops}</td><td class="amount">${esc(amountText(e.direct, e.asset, info))}</td><td>${e.paths.length}${e.pathsCapped ? "+" : ""}</td></tr>`,
  );
  return `<table id="endpoint-table"><thead><tr><th>#</th><th>Address</th><th>Who</th><th>Amount reached</th><th>Hops</th><th>Of it directly</th><th>Paths</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function pathsSection(r: FlowTrace, info: (a: string) => AssetInfo, maxEndpoints = 40, maxPaths = 5): string {
  const eps = rankedEndpoints(r);
  const out: string[] = [];
  for (const e of eps.slice(0, maxEndpoints)) {
    out.push(
      `<h3>To <span class="addr">${esc(e.address)}</span> ${badges(e.categories)}${esc(e.labels[0] ?? "")}: ${esc(amountText(e.amount, e.asset, info))}</h3>`,
    );
    e.paths.slice(0, maxPaths).forEach((p, i) => {
      const rows = p.hops.map(
        (h, k) =>
          `<tr><td>${k + 1}</td><td><code>${esc(h.txid)}</code></td><td class="addr">${esc(h.from)}</td><td class="addr">${esc(h.to)}</td><td class="amount">${esc(amountText(h.amount, e.asset, info))}</td><td>${h.height === null || h.height === undefined ? (h.height === null ? "unconfirmed" : "") : `${h.height}`}</td><td>${esc(h.time ?? "")}</td></tr>`,
      );
      out.push(
        `<p class="note">Path ${i + 1}: ${esc(transactionsWord(p.hops.length))}; at least ${esc(amountText(p.bottleneck, e.asset, info))} of the traced funds passed along all of it.</p><table><thead><tr><th>Step</th><th>Transaction</th><th>From</th><th>To</th><th>Traced amount</th><th>Block</th><th>Time (UTC)</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
      );
    });
    const more = e.paths.length - maxPaths;
    if (more > 0 || e.pathsCapped)
      out.push(
        `<p class="note">${more > 0 ? `${more} more path${more === 1 ? "" : "s"} in evidence.json. ` : ""}${e.pathsCapped ? "More routes may exist than were listed (the path search is bounded)." : ""}</p>`,
      );
  }
  if (eps.length > maxEndpoints)
    out.push(
      `<p class="note">The paths of ${eps.length - maxEndpoints} more endpoints are in evidence.json.</p>`,
    );
  return out.join("\n");
}

function labelSources(r: FlowTrace, labels: ReportInput["labels"]): string {
  const addresses = [...new Set([...r.endpoints.map((e) => e.address), ...r.nodes.map((n) => n.address)])];
  const rows: string[] = [];
  for (const a of addresses)
    for (const l of labels.get(a) ?? [])
      rows.push(
        `<tr><td class="addr">${esc(a)}</td><td>${esc(l.label)}</td><td>${badges([l.category])}</td><td>${esc(issuer(l.source))}${issuer(l.source) !== l.source ? `<br><span class="note">${esc(l.source)}</span>` : ""}</td><td>${esc(l.program ?? "")}</td><td>${esc(l.reference ?? "")}</td><td>${l.confidence}</td></tr>`,
      );
  if (rows.length === 0) return `<p>No address in this trace carries a label.</p>`;
  return `<table><thead><tr><th>Address</th><th>Label</th><th>Category</th><th>Listed by</th><th>Program</th><th>Reference</th><th>Confidence</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function upstream(input: ReportInput): string {
  const rows = input.responses.map(
    (x) =>
      `<tr><td>${esc(x.source)}</td><td class="addr">${esc(x.url)}</td><td>${x.status}</td><td>${esc(x.fetchedAt)}</td><td><code>${esc(x.sha256)}</code></td></tr>`,
  );
  return [
    `<p>SHA-256 of the result as written in evidence.json: <code>${esc(input.resultSha256)}</code>.</p>`,
    rows.length
      ? `<p>The result rests on these ${rows.length} answers from upstream data sources. Each body is kept, as received, in the evidence package under <code>responses/&lt;sha256&gt;</code>; <code>sha256sum -c SHA256SUMS</code> checks every file.</p><table><thead><tr><th>Source</th><th>Request (keys removed)</th><th>Status</th><th>Fetched</th><th>SHA-256 of the body</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
      : `<p>No upstream answer was logged for this result.</p>`,
    input.unsourced.length
      ? `<p class="note">${input.unsourced.length} transactions or addresses of the result were stored before fundtrace logged upstream answers; no hash is available for them.</p>`
      : "",
  ].join("\n");
}

/** The report as one HTML document (no script, no outside resource). */
export function renderReport(input: ReportInput): string {
  const r = input.result;
  const info = assetInfo(r, input.native);
  const labelsOf: LabelsOf = (a) => input.labels.get(a) ?? [];
  const answer = answerSentences(r, labelsOf, info);
  const limits = limitsSentences(r);
  const picture = flowSvg(r, info);
  const who = r.start.length > 1 ? `${r.start.length} wallets` : r.start[0]!;
  const title = `${r.direction === "forward" ? "Where the funds of" : "Where the funds to"} ${who} ${r.direction === "forward" ? "went" : "came from"}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="fundtrace ${esc(input.version)}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><p class="meta">${esc(r.chain)} · ${esc(r.model)} model · ${esc(transactionsWord(r.maxHops))} at most · fundtrace ${esc(input.version)} · ${esc(input.generatedAt)}</p></header>
<section id="answer"><h2>The answer</h2><div class="answer">${answer.map((s) => `<p>${esc(s)}</p>`).join("")}</div>
${limits.length ? `<div class="limits">${limits.map((s) => `<p>${esc(s)}</p>`).join("")}</div>` : ""}</section>
<section id="question"><h2>The question</h2>${question(input, r)}</section>
<section id="flow"><h2>The flow of funds</h2><p class="note">One column per transaction hop; the funds flow left to right. Colour shows who a wallet is, a heavy border marks where the traced funds ended, and a line's width shows how much it carried.${picture.omitted ? ` ${picture.omitted} wallets off the endpoints' main paths are left out of the picture (all are in evidence.json).` : ""}</p>
<div class="flow">${picture.svg}</div></section>
<section id="endpoints"><h2>Where the funds ended</h2>${endpointsTable(r, info)}</section>
<section id="paths"><h2>Each path, transaction by transaction</h2>${pathsSection(r, info)}</section>
<section id="model"><h2>How the amounts were counted</h2>${modelSentences(r, input.params)
    .map((s) => `<p>${esc(s)}</p>`)
    .join("")}</section>
<section id="labels"><h2>Who says who a wallet is: label sources</h2>${labelSources(r, input.labels)}</section>
<section id="evidence"><h2>Upstream answers used</h2>${upstream(input)}</section>
<section id="limits"><h2>What fundtrace could not see</h2>${limits.length ? limits.map((s) => `<p>${esc(s)}</p>`).join("") : `<p>Nothing: every transaction and address the trace reached was loaded, and the address budget was not reached.</p>`}
<p class="note">${r.stats.addressesVisited} addresses followed, ${r.stats.addressesReached} reached, ${r.stats.txsVisited} transactions read.</p></section>
<footer><p class="note">Written by fundtrace ${esc(input.version)}. Category colours: ${GROUPS.map((g) => `<span class="badge" style="background:${g.colour}">${esc(g.name)}</span>`).join("")}</p></footer>
</body>
</html>
`;
}
