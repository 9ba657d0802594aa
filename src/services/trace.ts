import type { ChainSource } from "../../adapters/source.ts";
import { getChain, normalizeAddress } from "../chains.ts";
import { type Risk, riskFromExposure } from "../core/risk.ts";
import {
  type ExposureResult,
  exposure,
  MAX_HOPS,
  type TraceParams,
  type TraceResult,
  traceRun,
} from "../core/trace.ts";
import type { TraceGraph } from "../core/trace-graph.ts";
import { BadInputError, FundtraceError } from "../errors.ts";
import type { Store } from "../store/db.ts";
import { SyncStore } from "../store/sync.ts";
import { UtxoStore } from "../store/utxo.ts";
import type { IngestService, ReportedGap } from "./ingest.ts";
import type { LabelService } from "./labels.ts";
import { type ChainGraph, TraceGraphs } from "./trace-graphs.ts";
import { TRACE_DEFAULTS, validateTrace } from "./trace-input.ts";

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
}

export interface TraceResponse extends TraceResult {
  chain: string;
  /** `gaps`: what the sources fetched from could not see (internal transfers on a node without tracing…). */
  stats: TraceResult["stats"] & { requests: number; rounds: number; gaps: ReportedGap[] };
}

export interface ExposureResponse extends ExposureResult {
  chain: string;
  risk: Risk;
  requests: number;
  gaps: ReportedGap[];
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
    const { value, requests, rounds, gaps } = await this.expand(
      chain.name,
      req.addresses,
      req.maxAddresses ?? DEFAULT_MAX_ADDRESSES,
      raw.fetch !== false,
      async (graph, lookups) => {
        const { result } = await traceRun(graph, {
          start: req.addresses,
          direction: req.direction,
          model: req.model,
          maxHops: req.maxHops,
          minValue: req.minValue === undefined ? undefined : BigInt(req.minValue),
          stopAt: req.stopAt,
          targets: req.targets,
          maxAddresses: req.maxAddresses ?? DEFAULT_MAX_ADDRESSES,
          includeGraph: req.includeGraph,
          ...lookups,
          utxoAsset: { asset: chain.symbol, symbol: chain.symbol, decimals: chain.decimals },
        });
        return { value: result, missing: result.stats.missing };
      },
      progress,
    );
    return { ...value, chain: chain.name, stats: { ...value.stats, requests, rounds, gaps } };
  }

  /** Direct and indirect exposure by category, in and out, with a risk score and band. */
  async exposure(
    chainName: string,
    rawAddress: string,
    opts: {
      hops?: number;
      direction?: "in" | "out" | "both";
      model?: "poison" | "haircut" | "fifo";
      maxAddresses?: number;
      fetch?: boolean;
    } = {},
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
    const budget = opts.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
    const { value, requests, gaps } = await this.expand(
      chain.name,
      [address],
      budget,
      opts.fetch !== false,
      async (graph, lookups) => {
        const r = await exposure(graph, address, {
          direction: opts.direction ?? "both",
          hops,
          model: opts.model ?? "haircut",
          maxAddresses: budget,
          ...lookups,
          utxoAsset: { asset: chain.symbol, symbol: chain.symbol, decimals: chain.decimals },
        });
        return { value: r, missing: r.missing };
      },
    );
    const own = (await this.labels.forAddresses(chain.name, [address])).get(address) ?? [];
    const risk = riskFromExposure(
      own.map((l) => l.category),
      value.direct.map((e) => ({
        category: e.category,
        direction: e.direction,
        direct: true,
        shareBps: e.shareBps,
        amount: e.amount,
      })),
      value.indirect.map((e) => ({
        category: e.category,
        direction: e.direction,
        direct: false,
        shareBps: e.shareBps,
        amount: e.amount,
      })),
    );
    return { chain: chain.name, ...value, risk, requests, gaps };
  }

  /**
   * Runs `run` on the chain's graph; with a source, fetches what the run reports missing (addresses
   * not ingested, transactions not stored) and runs again, until nothing is missing, the address
   * budget is spent or MAX_ROUNDS. Without one, the stored history of every address is all there is.
   */
  private async expand<T>(
    chainName: string,
    start: string[],
    budget: number,
    fetch: boolean,
    run: (
      graph: TraceGraph,
      lookups: Pick<TraceParams, "labelsById" | "clustersById" | "names" | "allComplete">,
    ) => Promise<{ value: T; missing: { txids: string[]; addresses: string[] } }>,
    progress?: (round: number, what: string) => void,
  ): Promise<{ value: T; requests: number; rounds: number; gaps: ReportedGap[] }> {
    const chain = getChain(chainName);
    let source: ChainSource | undefined;
    if (fetch) {
      try {
        source = this.sourceFor(chain.name);
      } catch {
        source = undefined; // no source configured: use what is stored
      }
    }
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
        if (todo.length) gaps.push(...(await this.ingest.ingest(chain.name, todo)).gaps);
        ingested.push(...addrs);
      };
      const fetchTxs = async (txids: string[]) => {
        if (source?.model !== "utxo") return;
        for (const id of txids) {
          triedTx.add(id);
          const tx = await source.transaction(id);
          if (!tx) continue;
          const outs = tx.block ? await source.outspends(id) : undefined;
          await this.store.tx(() => utxo.writeTx(tx, outs));
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
        out = await run(cg.graph, { ...ann, names: cg.names, allComplete: source === undefined });
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
      };
    });
  }
}
