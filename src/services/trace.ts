import type { ChainSource } from "../../adapters/source.ts";
import { getChain, normalizeAddress } from "../chains.ts";
import { createMapGraph, type MapGraph } from "../core/graph.ts";
import { type Risk, riskFromExposure } from "../core/risk.ts";
import {
  type ExposureResult,
  exposure,
  MAX_HOPS,
  type TraceParams,
  type TraceResult,
  traceRun,
} from "../core/trace.ts";
import type { AddressLabels, ClusterInfo } from "../core/trace-context.ts";
import { BadInputError, FundtraceError } from "../errors.ts";
import { AccountStore } from "../store/accounts.ts";
import { ClusterStore } from "../store/clusters.ts";
import type { Store } from "../store/db.ts";
import { SyncStore } from "../store/sync.ts";
import { loadUtxoTxs, UtxoStore } from "../store/utxo.ts";
import type { IngestService, ReportedGap } from "./ingest.ts";
import type { LabelService } from "./labels.ts";
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
 * Traces over stored data, fetching what the frontier reaches and the store lacks (biggest taint
 * first, within the budget) through the chain's source; what it fetched is stored, so the same
 * trace again makes no upstream request.
 */
export class TraceService {
  constructor(
    private readonly store: Store,
    private readonly labels: LabelService,
    private readonly ingest: IngestService,
    private readonly sourceFor: (chain: string) => ChainSource,
  ) {}

  async trace(raw: TraceRequest, progress?: (round: number, what: string) => void): Promise<TraceResponse> {
    const req = validateTrace(raw);
    const chain = getChain(req.chain);
    const { value, requests, rounds, gaps } = await this.expand(
      chain.name,
      req.addresses,
      req.maxAddresses ?? DEFAULT_MAX_ADDRESSES,
      raw.fetch !== false,
      (graph, lookups) => {
        const result = traceRun(graph, {
          start: req.addresses,
          direction: req.direction,
          model: req.model,
          maxHops: req.maxHops,
          minValue: req.minValue === undefined ? undefined : BigInt(req.minValue),
          stopAt: req.stopAt,
          targets: req.targets,
          maxAddresses: req.maxAddresses ?? DEFAULT_MAX_ADDRESSES,
          ...lookups,
          utxoAsset: { asset: chain.symbol, symbol: chain.symbol, decimals: chain.decimals },
        }).result;
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
      (graph, lookups) => {
        const r = exposure(graph, address, {
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
   * Runs `run` over a graph built from the store, loading (and, with a source, fetching) what the
   * run reports missing until nothing is missing or the address budget is spent.
   */
  private async expand<T>(
    chainName: string,
    start: string[],
    budget: number,
    fetch: boolean,
    run: (
      graph: MapGraph,
      lookups: Pick<TraceParams, "labels" | "clusters">,
    ) => { value: T; missing: { txids: string[]; addresses: string[] } },
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
    const graph = createMapGraph();
    const loadedAddr = new Set<string>();
    const loadedTx = new Set<string>();
    const labelCache = new Map<string, AddressLabels | undefined>();
    const clusterCache = new Map<string, ClusterInfo | undefined>();
    const utxo = new UtxoStore(this.store);
    const accounts = new AccountStore(this.store);
    const clusters = new ClusterStore(this.store);
    const sync = new SyncStore(this.store);

    const loadTxids = async (ids: string[]) => {
      const fresh = ids.filter((t) => !loadedTx.has(t));
      if (fresh.length === 0) return;
      const stored = await loadUtxoTxs(this.store, chain.name, fresh);
      const have = new Set(stored.map((t) => t.txid));
      const fetched = [];
      if (source && source.model === "utxo") {
        for (const id of fresh.filter((t) => !have.has(t))) {
          const tx = await source.transaction(id);
          if (!tx) continue;
          const outs = tx.block ? await source.outspends(id) : undefined;
          await this.store.tx(() => utxo.writeTx(tx, outs));
          fetched.push(id);
        }
      }
      const all = fetched.length
        ? [...stored, ...(await loadUtxoTxs(this.store, chain.name, fetched))]
        : stored;
      graph.addRows({ utxoTxs: all });
      for (const t of fresh) loadedTx.add(t);
    };
    const loadAddresses = async (addrs: string[]) => {
      const fresh = addrs.filter((a) => !loadedAddr.has(a));
      if (fresh.length === 0) return;
      if (source) {
        const known = await sync.ingested(chain.name, fresh);
        const missing = fresh.filter((a) => !known.has(a));
        if (missing.length) gaps.push(...(await this.ingest.ingest(chain.name, missing)).gaps);
      }
      if (chain.family === "bitcoin") {
        await loadTxids(await utxo.txidsTouching(chain.name, fresh));
      } else {
        graph.addRows({ transfers: await accounts.transfersOf(chain.name, fresh) });
      }
      graph.addRows({ complete: fresh });
      for (const a of fresh) loadedAddr.add(a);
    };
    const refreshLookups = async () => {
      const addrs: string[] = [];
      for (let i = 0; i < graph.addressCount; i++) {
        const a = graph.address(i);
        if (!labelCache.has(a)) addrs.push(a);
      }
      if (addrs.length === 0) return;
      const ls = await this.labels.forAddresses(chain.name, addrs);
      const clMap = await clusters.ofAddresses(chain.name, addrs);
      for (const a of addrs) {
        const l = ls.get(a);
        labelCache.set(
          a,
          l
            ? {
                categories: [...new Set(l.map((x) => x.category))],
                labels: [...new Set(l.map((x) => x.label))],
              }
            : undefined,
        );
        clusterCache.set(a, clMap.get(a));
      }
    };

    await loadAddresses(start);
    const lookups = {
      labels: (a: string) => labelCache.get(a),
      clusters: (a: string) => clusterCache.get(a),
    };
    let out: { value: T; missing: { txids: string[]; addresses: string[] } } | undefined;
    let rounds = 0;
    for (; rounds < MAX_ROUNDS; rounds++) {
      await refreshLookups();
      out = run(graph, lookups);
      const todoTx = out.missing.txids.filter((t) => !loadedTx.has(t));
      const todoAddr = out.missing.addresses.filter((a) => !loadedAddr.has(a));
      if (todoTx.length === 0 && todoAddr.length === 0) break;
      if (loadedAddr.size >= budget) break;
      progress?.(rounds + 1, `${todoTx.length} transactions, ${todoAddr.length} addresses to load`);
      await loadTxids(todoTx);
      await loadAddresses(todoAddr.slice(0, Math.max(1, budget - loadedAddr.size)));
    }
    if (!out) throw new FundtraceError("INTERNAL", "no result");
    return { value: out.value, requests: (source?.counter.requests ?? 0) - before, rounds: rounds + 1, gaps };
  }
}
