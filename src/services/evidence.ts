import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { getChain } from "../chains.ts";
import { VERSION } from "../config.ts";
import { jsonSafe } from "../json.ts";
import type { Store } from "../store/db.ts";
import { EvidenceStore } from "../store/evidence.ts";
import type { LabelService } from "./labels.ts";
import type { RunDetail } from "./queries.ts";
import { reportOfPackage } from "./report/index.ts";
import type { TraceRequest, TraceResponse } from "./trace.ts";
import { traceCsv, traceGraphml } from "./trace-format.ts";

/** One upstream answer the result rests on: where it came from and the hash of its body as received. */
export interface EvidenceResponse {
  source: string;
  /** URL with keys redacted. */
  url: string;
  /** POST body (JSON-RPC), absent for GETs. */
  request?: string;
  status: number;
  sha256: string;
  fetchedAt: string;
  /** The txids and addresses of the result this response names. */
  refs: string[];
}

export interface EvidencePackage {
  format: "fundtrace-evidence/1";
  tool: { name: "fundtrace"; version: string };
  generatedAt: string;
  subject:
    | { kind: "trace" }
    | { kind: "run"; query: string; runId: string; startedAt: string; finishedAt: string };
  params: TraceRequest;
  result: unknown;
  /** SHA-256 of `JSON.stringify(result)`, as written in this package. */
  resultSha256: string;
  responses: EvidenceResponse[];
  /** Refs of the result that no logged response names (data stored before responses were logged). */
  unsourced: string[];
}

export type TraceLike = Pick<TraceResponse, "chain" | "endpoints" | "nodes" | "edges">;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** The txids and addresses a trace result rests on. EVM addresses drop 0x: logs carry them padded. */
export function resultRefs(r: TraceLike): { refs: string[]; search: string[] } {
  const evm = getChain(r.chain).family === "evm";
  const refs = new Set<string>();
  for (const e of r.edges) refs.add(e.txid);
  for (const ep of r.endpoints) for (const p of ep.paths) for (const h of p.hops) refs.add(h.txid);
  for (const n of r.nodes) refs.add(n.address);
  const all = [...refs].sort();
  return { refs: all, search: all.map((x) => (evm && /^0x[0-9a-f]{40}$/.test(x) ? x.slice(2) : x)) };
}

/**
 * Evidence packages: the parameters, the result, the tool version and, for every upstream response
 * the result rests on, its redacted URL and the SHA-256 of the body as received.
 */
export class EvidenceService {
  private readonly db: EvidenceStore;

  constructor(
    store: Store,
    private readonly labels?: LabelService,
  ) {
    this.db = new EvidenceStore(store);
  }

  /** The package as a self-contained HTML report for people (report/html.ts), with its label sources. */
  async report(pkg: EvidencePackage, result: TraceLike): Promise<string> {
    const addresses = [
      ...new Set([...result.endpoints.map((e) => e.address), ...result.nodes.map((n) => n.address)]),
    ];
    const labels = this.labels ? await this.labels.forAddresses(result.chain, addresses) : new Map();
    return reportOfPackage(pkg, labels);
  }

  async build(
    params: TraceRequest,
    result: TraceLike,
    subject: EvidencePackage["subject"] = { kind: "trace" },
  ): Promise<EvidencePackage> {
    const { refs, search } = resultRefs(result);
    const back = new Map(search.map((s, i) => [s, refs[i]!]));
    const rows = await this.db.responsesFor(search);
    const named = new Set<string>();
    const responses = rows.map((row) => {
      const rs = row.refs.map((x) => back.get(x) ?? x);
      for (const x of rs) named.add(x);
      const e: EvidenceResponse = {
        source: row.source,
        url: row.url,
        status: row.status,
        sha256: row.sha256,
        fetchedAt: row.fetchedAt,
        refs: rs,
      };
      if (row.request) e.request = row.request;
      return e;
    });
    const safe = jsonSafe(result);
    return {
      format: "fundtrace-evidence/1",
      tool: { name: "fundtrace", version: VERSION },
      generatedAt: new Date().toISOString(),
      subject,
      params: jsonSafe(params) as TraceRequest,
      result: safe,
      resultSha256: sha256(JSON.stringify(safe)),
      responses,
      unsourced: refs.filter((x) => !named.has(x)),
    };
  }

  /** The package of a saved query's run. */
  async forRun(d: RunDetail): Promise<EvidencePackage> {
    return this.build(d.params, d.trace, {
      kind: "run",
      query: d.run.query,
      runId: d.run.id,
      startedAt: d.run.startedAt,
      finishedAt: d.run.finishedAt ?? d.run.startedAt,
    });
  }

  /** The stored bodies of the given hashes (as received). */
  async bodies(hashes: string[]): Promise<Map<string, string>> {
    return this.db.bodies(hashes);
  }

  /**
   * Writes a package as a folder: evidence.json, report.html, endpoints.csv, graph.graphml, every response body
   * under responses/<sha256>, and SHA256SUMS over all of them (`sha256sum -c SHA256SUMS` checks it).
   */
  async writeDir(dir: string, pkg: EvidencePackage, result: TraceLike): Promise<string[]> {
    await mkdir(join(dir, "responses"), { recursive: true });
    const files: [string, string][] = [
      ["evidence.json", `${JSON.stringify(pkg, null, 2)}\n`],
      ["report.html", await this.report(pkg, result)],
      ["endpoints.csv", traceCsv(result as TraceResponse)],
      ["graph.graphml", traceGraphml(result as TraceResponse)],
    ];
    const bodies = await this.bodies(pkg.responses.map((r) => r.sha256));
    for (const [h, body] of bodies) files.push([`responses/${h}`, body]);
    const sums: string[] = [];
    for (const [name, text] of files) {
      await writeFile(join(dir, name), text);
      sums.push(`${sha256(text)}  ${name}`);
    }
    await writeFile(join(dir, "SHA256SUMS"), `${sums.join("\n")}\n`);
    return [...files.map(([n]) => n), "SHA256SUMS"];
  }
}
