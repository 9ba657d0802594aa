import { createHash, randomUUID } from "node:crypto";
import { BadInputError, ConflictError, NotFoundError, quote } from "../errors.ts";
import { jsonSafe } from "../json.ts";
import { CaseStore } from "../store/cases.ts";
import type { Store } from "../store/db.ts";
import { type QueryRunRow, SavedQueryStore } from "../store/saved.ts";
import type { IngestService } from "./ingest.ts";
import { type TraceRequest, type TraceResponse, type TraceService, validateTrace } from "./trace.ts";

export interface RunEndpoint {
  address: string;
  asset: string;
  amount: string;
  /** The asset's symbol and decimals, to show the amount to people (absent in runs stored before). */
  symbol?: string | null;
  decimals?: number | null;
  hops: number;
  categories: string[];
  paths: string[];
}

export interface RunDiff {
  /** Endpoints this run has and the previous did not. */
  newEndpoints: RunEndpoint[];
  /** Endpoints whose amount changed: previous, current and the difference (decimal strings). */
  changedAmounts: {
    address: string;
    asset: string;
    symbol?: string | null;
    decimals?: number | null;
    previous: string;
    current: string;
    delta: string;
  }[];
  /** Paths (txids hop by hop) that carried taint now and did not before, per endpoint. */
  newPaths: { address: string; asset: string; path: string }[];
  /** Endpoints the previous run had and this one does not. */
  goneEndpoints: RunEndpoint[];
}

export interface QueryRun {
  id: string;
  query: string;
  startedAt: string;
  finishedAt?: string;
  digest: string;
  endpoints: RunEndpoint[];
  diff: RunDiff | null;
  stats?: unknown;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A query or case name: 1-64 letters, digits, "_", "-" or ".", starting with a letter or digit. */
export function checkName(kind: "query" | "case", name: string): string {
  if (!NAME.test(name))
    throw new BadInputError(`${kind} name ${quote(name)} must be 1-64 letters, digits, "_", "-" or "."`);
  return name;
}

/** What an edit of a saved query may change; what it leaves out stays as it is. */
export interface QueryChange {
  /** A new name (its runs and the cases that hold it follow). */
  name?: string;
  /** New trace parameters, replacing the old ones whole. */
  params?: TraceRequest;
}

/** A validated request as a saved query keeps it. */
function cleanParams(params: TraceRequest): TraceRequest {
  const p = validateTrace(params);
  return {
    chain: p.chain,
    addresses: p.addresses,
    direction: p.direction,
    maxHops: p.maxHops,
    model: p.model,
    minValue: p.minValue === undefined ? undefined : String(p.minValue),
    stopAt: p.stopAt,
    targets: p.targets,
    maxAddresses: p.maxAddresses,
  };
}

/** True when a run found something its previous run did not have, or lost something it had. */
export function runChanged(r: Pick<QueryRun, "diff">): boolean {
  const d = r.diff;
  return (
    d !== null &&
    d.newEndpoints.length + d.changedAmounts.length + d.newPaths.length + d.goneEndpoints.length > 0
  );
}

function summarize(r: TraceResponse): RunEndpoint[] {
  return r.endpoints
    .map((e) => ({
      address: e.address,
      asset: e.asset,
      amount: e.amount.toString(),
      symbol: e.symbol,
      decimals: e.decimals,
      hops: e.hops,
      categories: [...e.categories],
      paths: e.paths.map((p) => p.hops.map((h) => h.txid).join(">")).sort(),
    }))
    .sort((a, b) => (a.address + a.asset < b.address + b.asset ? -1 : 1));
}

function withoutUnits({ symbol: _s, decimals: _d, ...e }: RunEndpoint): RunEndpoint {
  return e;
}

/** What changed between two runs' endpoints: new endpoints, changed amounts, new paths. */
export function diffRuns(prev: RunEndpoint[], cur: RunEndpoint[]): RunDiff {
  const key = (e: RunEndpoint) => `${e.address}\u0000${e.asset}`;
  const before = new Map(prev.map((e) => [key(e), e]));
  const after = new Map(cur.map((e) => [key(e), e]));
  const diff: RunDiff = { newEndpoints: [], changedAmounts: [], newPaths: [], goneEndpoints: [] };
  for (const [k, e] of after) {
    const p = before.get(k);
    if (!p) {
      diff.newEndpoints.push(e);
      continue;
    }
    if (p.amount !== e.amount) {
      diff.changedAmounts.push({
        address: e.address,
        asset: e.asset,
        symbol: e.symbol,
        decimals: e.decimals,
        previous: p.amount,
        current: e.amount,
        delta: (BigInt(e.amount) - BigInt(p.amount)).toString(),
      });
    }
    const old = new Set(p.paths);
    for (const path of e.paths)
      if (!old.has(path)) diff.newPaths.push({ address: e.address, asset: e.asset, path });
  }
  for (const [k, e] of before) if (!after.has(k)) diff.goneEndpoints.push(e);
  return diff;
}

/** A stored run with what produced it, as run hooks see it. */
export interface RunRecord {
  run: QueryRun;
  params: TraceRequest;
  trace: TraceResponse;
}

/** Runs inside the transaction that stores a run: what it writes lands with the run or not at all. */
export type RunHook = (r: RunRecord) => Promise<void>;

/** Saved trace queries: a name bound to trace parameters (never SQL), rerun and compared. */
export class QueryService {
  private readonly db: SavedQueryStore;
  private readonly hooks: RunHook[] = [];
  private readonly cases: CaseStore;

  constructor(
    private readonly store: Store,
    private readonly traces: TraceService,
    private readonly ingest: IngestService,
    private readonly hasSource: (chain: string) => boolean,
  ) {
    this.db = new SavedQueryStore(store);
    this.cases = new CaseStore(store);
  }

  async save(name: string, params: TraceRequest): Promise<{ name: string; params: TraceRequest }> {
    checkName("query", name);
    const clean = cleanParams(params);
    // checked and written in one transaction: two requests saving the same name cannot both pass
    await this.store.tx(async () => {
      if (await this.db.get(name)) throw new ConflictError(`a query named ${quote(name)} exists already`);
      await this.db.insert(name, JSON.stringify(clean));
    });
    return { name, params: clean };
  }

  /**
   * Renames a query and/or replaces its trace parameters, in one transaction: its runs and the cases
   * that hold it follow a new name. Everything is checked before anything changes.
   */
  async edit(name: string, change: QueryChange): Promise<{ name: string; params: TraceRequest }> {
    const q = await this.get(name);
    const newName =
      change.name === undefined || change.name === name ? undefined : checkName("query", change.name);
    const params = change.params === undefined ? undefined : cleanParams(change.params);
    if (newName === undefined && params === undefined)
      throw new BadInputError("nothing to change: give a new name or new trace parameters");
    await this.store.tx(async () => {
      if (newName !== undefined && (await this.db.get(newName)))
        throw new ConflictError(`a query named ${quote(newName)} exists already`);
      if (params) await this.db.updateParams(name, JSON.stringify(params));
      if (newName === undefined) return;
      await this.db.rename(name, newName);
      await this.cases.moveQueryRefs(name, newName);
      await this.store.run("watch.schedule_rename", { kind: "query", name, new_name: newName });
    });
    return { name: newName ?? name, params: params ?? q.params };
  }

  /** Deletes a query with its runs; the cases that held it let go of it (and are named in the answer). */
  async delete(name: string): Promise<{ name: string; runs: number; cases: string[] }> {
    await this.get(name);
    const runs = (await this.db.list()).find((x) => x.name === name)?.runs ?? 0;
    const cases = await this.cases.casesOfQuery(name);
    await this.store.tx(async () => {
      await this.cases.moveQueryRefs(name, null);
      await this.store.run("watch.schedule_delete", { kind: "query", name });
      await this.db.delete(name);
    });
    return { name, runs, cases };
  }

  async get(name: string): Promise<{ name: string; params: TraceRequest; createdAt: string }> {
    const r = await this.db.get(name);
    if (!r) throw new NotFoundError(`no saved query named ${quote(name)}`);
    return { name, params: parseParams(r.params), createdAt: r.createdAt };
  }

  async list(): Promise<
    { name: string; params: TraceRequest; createdAt: string; runs: number; lastRun: string | null }[]
  > {
    return (await this.db.list()).map((r) => ({ ...r, params: parseParams(r.params) }));
  }

  async runs(name: string, limit = 50): Promise<QueryRun[]> {
    await this.get(name);
    return (await this.db.runs(name, limit)).map((r) => toRun(name, r));
  }

  /**
   * Pulls what is new for the addresses involved (the start addresses and every address the last
   * run expanded), traces again, stores the run and its difference from the previous one.
   */
  async run(name: string): Promise<QueryRun> {
    const q = await this.get(name);
    const startedAt = new Date().toISOString();
    const prev = (await this.runs(name, 1))[0];
    const involved = new Set(q.params.addresses);
    const lastNodes = prev ? await this.lastNodes(prev.id) : [];
    for (const a of lastNodes) involved.add(a);
    if (this.hasSource(q.params.chain))
      await this.ingest.ingest(q.params.chain, [...involved].slice(0, 1000));
    const r = await this.traces.trace(q.params);
    const endpoints = summarize(r);
    const digest = createHash("sha256")
      // units are for display: the digest covers what the run found, as it did before they were kept
      .update(JSON.stringify(jsonSafe({ params: q.params, endpoints: endpoints.map(withoutUnits) })))
      .digest("hex");
    const diff = prev ? diffRuns(prev.endpoints, endpoints) : null;
    const id = randomUUID();
    const nodes = r.nodes.filter((n) => n.expanded).map((n) => n.address);
    const run: QueryRun = { id, query: name, startedAt, digest, endpoints, diff, stats: jsonSafe(r.stats) };
    await this.store.tx(async () => {
      await this.db.insertRun({
        id,
        queryName: name,
        startedAt,
        params: JSON.stringify(q.params),
        digest,
        result: JSON.stringify({ endpoints, diff, nodes, stats: jsonSafe(r.stats), trace: jsonSafe(r) }),
      });
      for (const hook of this.hooks) await hook({ run, params: q.params, trace: r });
    });
    return run;
  }

  /** Calls `hook` for every run, inside the transaction that stores it. */
  onRun(hook: RunHook): void {
    this.hooks.push(hook);
  }

  /** One stored run with the full trace result it produced (for evidence and exports). */
  async runDetail(name: string, runId?: string): Promise<RunDetail> {
    await this.get(name);
    const id = runId ?? (await this.runs(name, 1))[0]?.id;
    if (!id) throw new NotFoundError(`query ${quote(name)} has not run yet: run it first`);
    const r = await this.db.runById(name, id);
    if (!r) throw new NotFoundError(`query ${quote(name)} has no run ${quote(id)}`);
    const trace = (JSON.parse(r.result) as { trace?: TraceResponse }).trace;
    if (!trace) throw new NotFoundError(`run ${quote(id)} predates stored results; run ${quote(name)} again`);
    return { run: toRun(name, r), params: parseParams(r.params), trace };
  }

  private async lastNodes(runId: string): Promise<string[]> {
    const result = await this.db.runResult(runId);
    if (result === undefined) return [];
    return ((JSON.parse(result) as { nodes?: string[] }).nodes ?? []).slice(0, 1000);
  }
}

export interface RunDetail {
  run: QueryRun;
  params: TraceRequest;
  trace: TraceResponse;
}

/** Saved params are written by save() from a validated request. */
function parseParams(json: string): TraceRequest {
  return JSON.parse(json) as TraceRequest;
}

function toRun(name: string, r: QueryRunRow): QueryRun {
  const body = JSON.parse(r.result) as {
    endpoints: RunEndpoint[];
    diff: RunDiff | null;
    stats?: unknown;
  };
  return {
    id: r.id,
    query: name,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    digest: r.digest,
    endpoints: body.endpoints,
    diff: body.diff,
    stats: body.stats,
  };
}
