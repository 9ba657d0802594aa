import { listValue } from "@duckdb/node-api";
import type { ChainSource } from "../../adapters/source.ts";
import { getChain, normalizeAddress } from "../chains.ts";
import { type Risk, riskFromExposure } from "../core/risk.ts";
import {
  DEFAULT_MAX_HOPS,
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
import { UtxoStore } from "../store/utxo.ts";
import type { IngestService } from "./ingest.ts";
import type { LabelService } from "./labels.ts";
import { type ChainGraph, TraceGraphs } from "./trace-graphs.ts";

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
  stats: TraceResult["stats"] & { requests: number; rounds: number };
}

export interface ExposureResponse extends ExposureResult {
  chain: string;
  risk: Risk;
  requests: number;
}

export const DEFAULT_MAX_ADDRESSES = 500;
const MAX_ROUNDS = 40;
/** Largest expansion budget a request may ask for. */
const MAX_BUDGET = 10_000_000;

/** Validates a trace request before anything is read or fetched. */
export function validateTrace(
  req: TraceRequest,
): Required<Pick<TraceRequest, "chain" | "addresses">> & TraceRequest {
  const chain = getChain(req.chain);
  if (chain.labelOnly)
    throw new BadInputError(`chain "${chain.name}" has labels only; it cannot be traced yet`);
  if (!req.addresses?.length) throw new BadInputError("give an address to trace");
  const addresses = [...new Set(req.addresses.map((a) => normalizeAddress(chain.name, a)))];
  const hops = req.maxHops ?? DEFAULT_MAX_HOPS;
  if (!Number.isInteger(hops) || hops < 1)
    throw new BadInputError(`hop limit must be a whole number from 1 to ${MAX_HOPS}, got ${hops}`);
  if (hops > MAX_HOPS)
    throw new BadInputError(`hop limit too high: ${hops} (max ${MAX_HOPS})`, {}, "LIMIT_EXCEEDED");
  if (req.model && !["poison", "haircut", "fifo"].includes(req.model)) {
    throw new BadInputError(`unknown taint model "${req.model}" (poison, haircut, fifo)`);
  }
  if (req.direction && !["forward", "backward"].includes(req.direction)) {
    throw new BadInputError(`unknown direction "${req.direction}" (forward, backward)`);
  }
  if (req.minValue !== undefined && !/^\d+$/.test(String(req.minValue))) {
    throw new BadInputError(`minimum value must be a whole number of base units, got "${req.minValue}"`);
  }
  if (
    req.maxAddresses !== undefined &&
    (!Number.isInteger(req.maxAddresses) || req.maxAddresses < 1 || req.maxAddresses > MAX_BUDGET)
  ) {
    throw new BadInputError(`address budget must be 1..${MAX_BUDGET}, got ${req.maxAddresses}`);
  }
  const targetAddresses = (req.targets?.addresses ?? []).map((a) => normalizeAddress(chain.name, a));
  return {
    ...req,
    chain: chain.name,
    addresses,
    maxHops: hops,
    targets: req.targets
      ? { categories: req.targets.categories ?? [], addresses: targetAddresses }
      : undefined,
  };
}

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
    const { value, requests, rounds } = await this.expand(
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
    return { ...value, chain: chain.name, stats: { ...value.stats, requests, rounds } };
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
    const { value, requests } = await this.expand(
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
    return { chain: chain.name, ...value, risk, requests };
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
  ): Promise<{ value: T; requests: number; rounds: number }> {
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
    const cg = this.graphs.of(chain.name);
    return cg.lock.run(async () => {
      /** Addresses whose history this trace asked for (the starts count: they are always read). */
      const asked = new Set<string>(start);
      const triedTx = new Set<string>();
      const utxo = new UtxoStore(this.store);
      const ingested: string[] = [];
      const ingestMissing = async (addrs: string[]) => {
        if (!source || addrs.length === 0) return;
        const known = new Set(
          (await this.store.all("sync.cursors_of", { chain: chain.name, addresses: listValue(addrs) })).map(
            (r) => r.address as string,
          ),
        );
        const todo = addrs.filter((a) => !known.has(a));
        if (todo.length) await this.ingest.ingest(chain.name, todo);
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
      return { value: out.value, requests: (source?.counter.requests ?? 0) - before, rounds: rounds + 1 };
    });
  }
}
