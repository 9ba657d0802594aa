import type { ChainSource } from "../../adapters/source.ts";
import { getChain, normalizeAddress } from "../chains.ts";
import { type Risk, riskFromExposure } from "../core/risk.ts";
import { isoTime, windowText } from "../core/time.ts";
import {
  type ExposureResult,
  exposure,
  type HeightWindow,
  MAX_HOPS,
  type TraceParams,
  type TraceResult,
  traceRun,
  UNCONFIRMED_ORDER,
} from "../core/trace.ts";
import type { TraceGraph } from "../core/trace-graph.ts";
import { BadInputError, FundtraceError, UpstreamError } from "../errors.ts";
import { ClusterStore } from "../store/clusters.ts";
import type { Store } from "../store/db.ts";
import { SyncStore } from "../store/sync.ts";
import { TraceStore } from "../store/trace.ts";
import { UtxoStore } from "../store/utxo.ts";
import type { IngestService, ReportedGap } from "./ingest.ts";
import type { LabelService } from "./labels.ts";
import {
  type AnsweredEdge,
  type AnsweredEndpoint,
  type AnsweredNode,
  type AnswerWindow,
  answerTrace,
  type Coverage,
  coverageOf,
  type TraceSource,
  txidsOf,
  type Units,
} from "./trace-answer.ts";
import { type ChainGraph, TraceGraphs } from "./trace-graphs.ts";
import { checkWindow, MAX_TRACE_ADDRESSES, TRACE_DEFAULTS, validateTrace } from "./trace-input.ts";

export { validateTrace };

export interface TraceRequest {
  chain: string;
  addresses: string[];
  direction?: "forward" | "backward";
  maxHops?: number;
  model?: "poison" | "haircut" | "fifo";
  minValue?: string | bigint;
  stopAt?: string[];
  targets?: { categories?: string[]; addresses?: string[] };
  maxAddresses?: number;
  /** Fetch what is not stored through the chain's source (default true when a source is configured). */
  fetch?: boolean;
  /** Nodes and edges in the result (default true); endpoints and stats alone are much cheaper on a big trace. */
  includeGraph?: boolean;
  /** Only transactions in blocks from this time on (UTC date or ISO 8601) carry taint. */
  since?: string;
  /** Only transactions in blocks up to this time (a bare date: to the end of that day). */
  until?: string;
  /** Start from every member of each address's cluster (the wallet, not only the address). */
  cluster?: boolean;
}

export interface TraceResponse extends Omit<TraceResult, "endpoints" | "nodes" | "edges"> {
  chain: string;
  endpoints: AnsweredEndpoint[];
  nodes: AnsweredNode[];
  edges: AnsweredEdge[];
  /** Backward traces: where the money came from (labelled or not), with nothing further back in the trace. */
  sources: TraceSource[];
  /** With `cluster`: the clusters the starts were taken from. */
  clusters?: { address: string; clusterId: string | null; members: number }[];
  /** With `since`/`until`: the window followed. */
  window?: AnswerWindow;
  /**
   * `gaps`: what the sources fetched from could not see (internal transfers on a node without
   * tracing…); `coverage`: everything this answer did not see, in sentences.
   */
  stats: TraceResult["stats"] & { requests: number; rounds: number; gaps: ReportedGap[]; coverage: Coverage };
}

export type UnitsEntry<T> = T & Units;

export interface ExposureResponse extends Omit<ExposureResult, "direct" | "indirect" | "totals"> {
  chain: string;
  direct: UnitsEntry<ExposureResult["direct"][number]>[];
  indirect: UnitsEntry<ExposureResult["indirect"][number]>[];
  totals: UnitsEntry<ExposureResult["totals"][number]>[];
  risk: Risk;
  requests: number;
  gaps: ReportedGap[];
  coverage: Coverage;
  window?: AnswerWindow;
}

/** Exposure options (CLI flags and the API's query). */
export interface ExposureOptions {
  hops?: number;
  direction?: "in" | "out" | "both";
  model?: "poison" | "haircut" | "fifo";
  maxAddresses?: number;
  fetch?: boolean;
  since?: string;
  until?: string;
}

/** Missing addresses an offline trace names (all are counted). */
const MISSING_NAMED = 1000;

/** What a round of fetching left unseen, beside the engine's `missing`. */
interface Seen {
  /** Addresses fetched from a source in this answer (their history is now stored in full). */
  fetched: Set<string>;
  /** Why nothing could be fetched (offline, no source configured), when so. */
  noSource: string | null;
  /** Fetches that failed, as sentences. */
  failures: string[];
  failed: Map<string, string>;
}

export const DEFAULT_MAX_ADDRESSES = TRACE_DEFAULTS.maxAddresses;
const MAX_ROUNDS = 40;

/**
 * Traces over the chain's resident graph (all that is stored, refreshed with what was written since
 * the last trace), fetching what the frontier reaches and the store lacks (biggest taint first, within
 * the budget) through the chain's source; what it fetched is stored, so the same trace again makes
 * no upstream request.
 */
export class TraceService {
  private readonly graphs: TraceGraphs;

  constructor(
    private readonly store: Store,
    private readonly labels: LabelService,
    private readonly ingest: IngestService,
    private readonly sourceFor: (chain: string) => ChainSource,
  ) {
    this.graphs = new TraceGraphs(store, labels);
  }

  /** The chain's resident graph (loaded on first use). */
  graphOf(chain: string): ChainGraph {
    return this.graphs.of(getChain(chain).name);
  }

  async trace(raw: TraceRequest, progress?: (round: number, what: string) => void): Promise<TraceResponse> {
    const req = validateTrace(raw);
    const chain = getChain(req.chain);
    const { starts, clusters } = req.cluster
      ? await this.clusterStarts(chain.name, req.addresses)
      : { starts: req.addresses, clusters: undefined };
    const budget = req.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
    const window = checkWindow(req.since, req.until);
    let heights: { window: AnswerWindow; heights?: HeightWindow } | undefined;
    const { value, requests, rounds, gaps, seen } = await this.expand(
      chain.name,
      starts,
      budget,
      raw.fetch !== false,
      async (graph, lookups) => {
        heights = await this.heightsOf(chain.name, window);
        const { result } = await traceRun(graph, {
          start: starts,
          direction: req.direction,
          model: req.model,
          maxHops: req.maxHops,
          minValue: req.minValue === undefined ? undefined : BigInt(req.minValue),
          stopAt: req.stopAt,
          targets: req.targets,
          maxAddresses: budget,
          includeGraph: req.includeGraph,
          heights: heights?.heights,
          ...lookups,
          utxoAsset: { asset: chain.symbol, symbol: chain.symbol, decimals: chain.decimals },
        });
        return { value: result, missing: result.stats.missing };
      },
      progress,
    );
    const blocks = await new TraceStore(this.store).blocksOf(chain.name, txidsOf(value));
    const answered = answerTrace(value, this.unitsOf(chain.name), blocks);
    const unknown = await this.unknownStarts(chain.name, starts, seen);
    const coverage = coverageOf({
      missing: value.stats.missing,
      truncated: value.stats.truncated,
      budget,
      gaps,
      unknown,
      failures: seen.failures,
    });
    return {
      ...value,
      ...answered,
      chain: chain.name,
      ...(clusters ? { clusters } : {}),
      ...(heights ? { window: heights.window } : {}),
      stats: { ...value.stats, requests, rounds, gaps, coverage },
    };
  }

  /** Direct and indirect exposure by category, in and out, with a risk score and band. */
  async exposure(
    chainName: string,
    rawAddress: string,
    opts: ExposureOptions = {},
  ): Promise<ExposureResponse> {
    const chain = getChain(chainName);
    if (chain.labelOnly)
      throw new BadInputError(`chain "${chain.name}" has labels only; no exposure can be computed`);
    const address = normalizeAddress(chain.name, rawAddress);
    const hops = opts.hops ?? 3;
    if (!Number.isInteger(hops) || hops < 1 || hops > MAX_HOPS) {
      throw new BadInputError(
        `hops must be a whole number from 1 to ${MAX_HOPS}, got ${opts.hops}`,
        {},
        "LIMIT_EXCEEDED",
      );
    }
    const window = checkWindow(opts.since, opts.until);
    const budget = opts.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
    let heights: { window: AnswerWindow; heights?: HeightWindow } | undefined;
    const { value, requests, gaps, seen } = await this.expand(
      chain.name,
      [address],
      budget,
      opts.fetch !== false,
      async (graph, lookups) => {
        heights = await this.heightsOf(chain.name, window);
        const r = await exposure(graph, address, {
          direction: opts.direction ?? "both",
          hops,
          model: opts.model ?? "haircut",
          maxAddresses: budget,
          heights: heights?.heights,
          ...lookups,
          utxoAsset: { asset: chain.symbol, symbol: chain.symbol, decimals: chain.decimals },
        });
        return { value: r, missing: r.missing };
      },
    );
    const own = (await this.labels.forAddresses(chain.name, [address])).get(address) ?? [];
    const fact = (direct: boolean) => (e: ExposureResult["direct"][number]) => ({
      category: e.category,
      direction: e.direction,
      direct,
      shareBps: e.shareBps,
      amount: e.amount,
    });
    let risk = riskFromExposure(
      own.map((l) => l.category),
      value.direct.map(fact(true)),
      value.indirect.map(fact(false)),
    );
    const unknown = await this.unknownStarts(chain.name, [address], seen);
    // never a false clean: nothing seen of the address is not "none"
    if (unknown.length > 0 && risk.score === 0)
      risk = { score: 0, band: "unknown", reasons: unknown.map((n) => `${n.address}: ${n.reason}`) };
    const coverage = coverageOf({
      missing: value.missing,
      truncated: value.truncated,
      budget,
      gaps,
      unknown,
      failures: seen.failures,
    });
    const unitsOf = this.unitsOf(chain.name);
    const withUnits = <T extends { asset: string }>(e: T) => ({ ...e, ...unitsOf(e.asset) });
    return {
      chain: chain.name,
      ...value,
      direct: value.direct.map(withUnits),
      indirect: value.indirect.map(withUnits),
      totals: value.totals.map(withUnits),
      risk,
      requests,
      gaps,
      coverage,
      ...(heights ? { window: heights.window } : {}),
    };
  }

  /** Symbol and decimals of the chain's assets: the native one and every token the graph holds. */
  private unitsOf(chainName: string): (asset: string) => Units {
    const chain = getChain(chainName);
    const known = new Map<string, Units>([
      [chain.symbol, { symbol: chain.symbol, decimals: chain.decimals }],
    ]);
    for (const a of this.graphs.of(chain.name).graph.assets)
      if (!known.has(a.name)) known.set(a.name, { symbol: a.symbol, decimals: a.decimals });
    return (asset) => known.get(asset) ?? { symbol: null, decimals: null };
  }

  /** A time window as the stored blocks it covers (undefined: no window asked). */
  private async heightsOf(
    chain: string,
    w: { since: number | null; until: number | null },
  ): Promise<{ window: AnswerWindow; heights: HeightWindow } | undefined> {
    if (w.since === null && w.until === null) return undefined;
    const { first, last } = await new TraceStore(this.store).heightWindow(
      chain,
      w.since ?? Number.MIN_SAFE_INTEGER,
      w.until ?? Number.MAX_SAFE_INTEGER,
    );
    const from = w.since === null ? -1 : (first ?? UNCONFIRMED_ORDER);
    // no window end: unconfirmed transactions count too; none stored in the window: nothing does
    const to = w.until === null ? UNCONFIRMED_ORDER : (last ?? -1);
    return {
      window: {
        since: isoTime(w.since),
        until: isoTime(w.until),
        fromHeight: w.since === null ? null : first,
        toHeight: w.until === null ? null : last,
      },
      heights: { from, to },
    };
  }

  /**
   * Start addresses whose history is not stored in full, each with the reason (never a false clean):
   * nothing stored at all, or only what other addresses' transactions show.
   */
  private async unknownStarts(
    chain: string,
    starts: string[],
    seen: Seen,
  ): Promise<{ address: string; reason: string }[]> {
    const sync = new SyncStore(this.store);
    const ingested = await sync.ingested(chain, starts);
    const todo = starts.filter((a) => !ingested.has(a) && !seen.fetched.has(a));
    if (todo.length === 0) return [];
    const windows = await sync.windows(chain, todo);
    const cg = this.graphs.of(chain);
    const ids = await cg.names.addressIds(todo);
    const g = cg.graph;
    return todo.map((address, i) => {
      const id = ids[i]!;
      const some =
        id >= 0 &&
        id < g.addressCount &&
        (g.receivedOutputs(id).length > 0 || g.spentInputs(id).length > 0 || g.addrHasTransfers[id] === 1);
      const why =
        seen.failed.get(address) ?? (seen.noSource ? `nothing was fetched: ${seen.noSource}` : "not fetched");
      const w = windows.get(address);
      const what = w
        ? `history stored only for a time window (${w.map(windowText).join("; ")}), never in full`
        : some
          ? "history not stored in full (never ingested; only transactions seen from other addresses)"
          : "no stored history (never ingested)";
      return { address, reason: `${what}; ${why}; run: fundtrace ingest ${chain} ${address}` };
    });
  }

  /** The starts of a `cluster` trace: every member of each address's cluster (an address in none stays alone). */
  private async clusterStarts(
    chain: string,
    addresses: string[],
  ): Promise<{ starts: string[]; clusters: NonNullable<TraceResponse["clusters"]> }> {
    const cs = new ClusterStore(this.store);
    const starts = new Set<string>();
    const clusters: NonNullable<TraceResponse["clusters"]> = [];
    for (const a of addresses) {
      const c = await cs.byAddress(chain, a);
      if (!c) {
        starts.add(a);
        clusters.push({ address: a, clusterId: null, members: 1 });
        continue;
      }
      if (c.size > MAX_TRACE_ADDRESSES)
        throw new BadInputError(
          `the cluster of ${a} has ${c.size} addresses (max ${MAX_TRACE_ADDRESSES} starts${c.isService ? "; it is a service" : ""}): trace the address without --cluster`,
          {},
          "LIMIT_EXCEEDED",
        );
      for (const m of await cs.members(chain, c.clusterId, MAX_TRACE_ADDRESSES)) starts.add(m);
      starts.add(a);
      clusters.push({ address: a, clusterId: c.clusterId.toString(), members: c.size });
    }
    if (starts.size > MAX_TRACE_ADDRESSES)
      throw new BadInputError(
        `the clusters hold ${starts.size} addresses (max ${MAX_TRACE_ADDRESSES} starts)`,
        {},
        "LIMIT_EXCEEDED",
      );
    return { starts: [...starts].sort(), clusters };
  }

  /**
   * Runs `run` on the chain's graph; with a source, fetches what the run reports missing (addresses
   * not ingested, transactions not stored) and runs again, until nothing is missing, the address
   * budget is spent or MAX_ROUNDS. Without one, the stored history of every address is all there is
   * (and what the run could not see is still reported missing). A fetch that fails is recorded, not
   * thrown: the answer says what it did not see.
   */
  private async expand<T>(
    chainName: string,
    start: string[],
    budget: number,
    fetch: boolean,
    run: (
      graph: TraceGraph,
      lookups: Pick<TraceParams, "labelsById" | "clustersById" | "names" | "allComplete" | "nameMissing">,
    ) => Promise<{ value: T; missing: { txids: string[]; addresses: string[] } }>,
    progress?: (round: number, what: string) => void,
  ): Promise<{ value: T; requests: number; rounds: number; gaps: ReportedGap[]; seen: Seen }> {
    const chain = getChain(chainName);
    let source: ChainSource | undefined;
    const seen: Seen = { fetched: new Set(), noSource: null, failures: [], failed: new Map() };
    if (fetch) {
      try {
        source = this.sourceFor(chain.name);
      } catch (e) {
        source = undefined; // no source configured (or offline): use what is stored
        seen.noSource = e instanceof Error ? e.message : String(e);
      }
    } else seen.noSource = "fetching was turned off";
    const before = source?.counter.requests ?? 0;
    const gaps: ReportedGap[] = [];
    const cg = this.graphs.of(chain.name);
    return cg.lock.run(async () => {
      /** Addresses whose history this trace asked for (the starts count: they are always read). */
      const asked = new Set<string>(start);
      const triedTx = new Set<string>();
      const utxo = new UtxoStore(this.store);
      const sync = new SyncStore(this.store);
      const ingested: string[] = [];
      const ingestMissing = async (addrs: string[]) => {
        if (!source || addrs.length === 0) return;
        const known = await sync.ingested(chain.name, addrs);
        const todo = addrs.filter((a) => !known.has(a));
        for (const a of todo) {
          try {
            gaps.push(...(await this.ingest.ingest(chain.name, [a])).gaps);
            seen.fetched.add(a);
            ingested.push(a);
          } catch (e) {
            if (!(e instanceof UpstreamError)) throw e;
            seen.failed.set(a, `the source failed: ${e.message}`);
            seen.failures.push(`could not fetch ${a}: ${e.message}`);
          }
        }
        ingested.push(...addrs.filter((a) => known.has(a)));
      };
      const fetchTxs = async (txids: string[]) => {
        if (source?.model !== "utxo") return;
        for (const id of txids) {
          triedTx.add(id);
          try {
            const tx = await source.transaction(id);
            if (!tx) continue;
            const outs = tx.block ? await source.outspends(id) : undefined;
            await this.store.tx(() => utxo.writeTx(tx, outs));
          } catch (e) {
            if (!(e instanceof UpstreamError)) throw e;
            seen.failures.push(`could not fetch transaction ${id}: ${e.message}`);
          }
        }
      };
      const refresh = async () => {
        await cg.refresh();
        // what this trace asked the source for is all the source has, cursor or not
        const ids = await cg.names.addressIds(ingested);
        cg.graph.markComplete(ids.filter((x) => x >= 0));
      };

      await ingestMissing(start);
      await refresh();
      let out: { value: T; missing: { txids: string[]; addresses: string[] } } | undefined;
      let rounds = 0;
      for (; rounds < MAX_ROUNDS; rounds++) {
        const ann = await cg.annotations();
        // offline too, what is not stored in full is reported missing: the answer lists it
        // with nothing to fetch them from, a few named and the rest counted (see TraceParams.nameMissing)
        const nameMissing = source ? undefined : MISSING_NAMED;
        out = await run(cg.graph, { ...ann, names: cg.names, allComplete: false, nameMissing });
        if (!source) break;
        const todoTx = out.missing.txids.filter((t) => !triedTx.has(t));
        const todoAddr = out.missing.addresses.filter((a) => !asked.has(a));
        if (todoTx.length === 0 && todoAddr.length === 0) break;
        if (asked.size >= budget) break;
        progress?.(rounds + 1, `${todoTx.length} transactions, ${todoAddr.length} addresses to load`);
        await fetchTxs(todoTx);
        const next = todoAddr.slice(0, Math.max(1, budget - asked.size));
        for (const a of next) asked.add(a);
        await ingestMissing(next);
        await refresh();
      }
      if (!out) throw new FundtraceError("INTERNAL", "no result");
      return {
        value: out.value,
        requests: (source?.counter.requests ?? 0) - before,
        rounds: rounds + 1,
        gaps,
        seen,
      };
    });
  }
}
