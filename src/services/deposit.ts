/**
 * EVM clustering by deposit-address reuse (Victor 2020, "Address clustering heuristics for Ethereum").
 *
 * An exchange gives each customer a deposit address D and sweeps whatever reaches D to its hot wallet.
 * So D is a deposit address when it forwards what it receives to a labelled exchange address soon
 * after (tokens: the exact amount; native: the amount less at most a fee) and does nothing else in that
 * window; then every account that sent to D is one customer and becomes one cluster. D itself belongs
 * to the exchange: it is never merged with its senders, nor with the exchange.
 *
 * The detection is one SQL statement (queries/deposit/matches.sql); the merge is a union-find here.
 * Evidence rows: txid = the sender's transfer into D, address_a = that sender, address_b = the previous
 * sender of the same D, heuristic = `deposit-address:<D>:<forwarding txid>` (the schema has no other
 * place for the deposit address and the sweep that proved it).
 */
import { listValue } from "@duckdb/node-api";
import { getChain, sameAddressSpace } from "../chains.ts";
import { UnionFind } from "../core/unionfind.ts";
import { BadInputError } from "../errors.ts";
import type { Store } from "../store/db.ts";
import type { LabelService } from "./labels.ts";

export const DEPOSIT_HEURISTIC = "deposit-address";
/** Below multi-input's 100: the link goes through a third party's (the exchange's) behaviour. */
export const DEPOSIT_CONFIDENCE = 80;
/** 0.01 ETH: a sweep pays its own gas out of what it forwards. */
export const DEFAULT_MAX_FEE_WEI = 10n ** 16n;
export const DEFAULT_WINDOW_BLOCKS = 10_000;
export const DEFAULT_SERVICE_THRESHOLD = 1000;

export interface DepositOptions {
  /** Native forwards may be this much below what came in (gas). Tokens must match exactly. */
  maxFeeWei?: bigint;
  /** The forward must come at most this many blocks after the first receipt it sweeps. */
  windowBlocks?: number;
  /** Clusters of at least this many addresses are flagged as likely services. */
  serviceThreshold?: number;
}

export interface DepositAddress {
  address: string;
  /** Name of the exchange it forwards to (label actor or text), else the hot wallet's address. */
  exchange: string;
  /** Matched forwarding transactions. */
  forwards: number;
}

export interface DepositClusterResult {
  depositAddresses: DepositAddress[];
  /** Clusters of 2+ senders written for the chain. */
  clusters: number;
  /** Unions that joined two separate sets (one evidence row each). */
  merges: number;
}

interface MatchRow {
  deposit: string;
  exchange: string;
  forward_txid: string;
  sender: string;
  receipt_txid: string;
  customer: boolean;
}

interface Merge {
  a: number;
  b: number;
  txid: string;
  heuristic: string;
}

/** Encodes the deposit address and the sweeping transaction into the evidence's heuristic text. */
export function depositHeuristic(deposit: string, forwardTxid: string): string {
  return `${DEPOSIT_HEURISTIC}:${deposit}:${forwardTxid}`;
}

/** Splits an evidence heuristic written by depositHeuristic; null for other heuristics. */
export function parseDepositHeuristic(h: string): { deposit: string; forwardTxid: string } | null {
  const [name, deposit, forwardTxid] = h.split(":");
  if (name !== DEPOSIT_HEURISTIC || !deposit || !forwardTxid) return null;
  return { deposit, forwardTxid };
}

// DuckDB list parameters are built in memory: write in slices.
const BATCH = 20_000;

export class DepositClusterer {
  constructor(
    private readonly store: Store,
    private readonly labels: LabelService,
  ) {}

  /** Full recompute of the chain's clusters from its stored account transfers and exchange labels. */
  async cluster(chainName: string, opts: DepositOptions = {}): Promise<DepositClusterResult> {
    const chain = getChain(chainName);
    if (chain.family !== "evm") {
      throw new BadInputError(`the deposit-address heuristic is for EVM chains, not ${chain.name}`);
    }
    const maxFee = opts.maxFeeWei ?? DEFAULT_MAX_FEE_WEI;
    const window = opts.windowBlocks ?? DEFAULT_WINDOW_BLOCKS;
    const threshold = opts.serviceThreshold ?? DEFAULT_SERVICE_THRESHOLD;
    if (typeof maxFee !== "bigint" || maxFee < 0n) throw new BadInputError("maxFeeWei must be a bigint >= 0");
    if (!Number.isSafeInteger(window) || window < 0)
      throw new BadInputError("windowBlocks must be an integer >= 0");
    if (!Number.isSafeInteger(threshold) || threshold < 1)
      throw new BadInputError("serviceThreshold must be an integer >= 1");
    const c = chain.name;
    // read and write in one transaction: the clusters match the transfers and labels they came from
    return this.store.tx((s) => this.run(s, c, maxFee, window, threshold));
  }

  private async run(
    s: Store,
    c: string,
    maxFee: bigint,
    window: number,
    threshold: number,
  ): Promise<DepositClusterResult> {
    const rows = await s.all<MatchRow & Record<string, unknown>>("deposit.matches", {
      chain: c,
      space: listValue(sameAddressSpace(c)),
      max_fee: maxFee,
      window: BigInt(window),
    });

    const deposits = new Map<string, { exchange: string; forwards: Set<string> }>();
    for (const r of rows) {
      const d = deposits.get(r.deposit) ?? { exchange: r.exchange, forwards: new Set<string>() };
      d.forwards.add(r.forward_txid);
      deposits.set(r.deposit, d);
    }

    // Senders per deposit address, in order of their first matched receipt (rows come sorted).
    // A deposit address sending to another one is the exchange moving funds, not a customer.
    const senders = new Map<string, MatchRow[]>();
    const seen = new Set<string>();
    for (const r of rows) {
      if (!r.customer || deposits.has(r.sender) || seen.has(`${r.deposit}:${r.sender}`)) continue;
      seen.add(`${r.deposit}:${r.sender}`);
      const list = senders.get(r.deposit) ?? [];
      list.push(r);
      senders.set(r.deposit, list);
    }
    const ids = new Map<string, number>();
    const addrs: string[] = [];
    const id = (a: string) => {
      let i = ids.get(a);
      if (i === undefined) {
        i = addrs.length;
        ids.set(a, i);
        addrs.push(a);
      }
      return i;
    };
    for (const list of senders.values()) for (const r of list) id(r.sender);
    const uf = new UnionFind(addrs.length);
    const merges: Merge[] = [];
    for (const [deposit, list] of senders) {
      // chain each sender to the previous one of the same deposit address: n-1 unions
      for (let i = 1; i < list.length; i++) {
        const r = list[i]!;
        const a = id(r.sender);
        const b = id(list[i - 1]!.sender);
        if (uf.union(a, b)) {
          merges.push({ a, b, txid: r.receipt_txid, heuristic: depositHeuristic(deposit, r.forward_txid) });
        }
      }
    }
    // The smallest address names a cluster, as for Bitcoin, so ids do not depend on merge order.
    const root = new Map<number, string>();
    for (let i = 0; i < addrs.length; i++) {
      const r = uf.find(i);
      const cur = root.get(r);
      if (cur === undefined || addrs[i]! < cur) root.set(r, addrs[i]!);
    }
    const names = await this.exchangeNames(c, [...new Set([...deposits.values()].map((d) => d.exchange))]);

    for (const t of ["members", "evidence", "clusters"]) await s.run(`cluster.reset_${t}`, { chain: c });
    // membership and evidence are stored as ids: intern what is new
    for (let i = 0; i < addrs.length; i += BATCH) {
      await s.run("ids.intern_addresses", { addresses: listValue(addrs.slice(i, i + BATCH)) });
    }
    for (let i = 0; i < merges.length; i += BATCH) {
      await s.run("ids.intern_txids", { txids: listValue(merges.slice(i, i + BATCH).map((m) => m.txid)) });
    }
    // only sets of 2+ are written: a lone sender is its own cluster of one, as for Bitcoin
    const members = addrs.map((_, i) => i).filter((i) => uf.grouped(i));
    for (let i = 0; i < members.length; i += BATCH) {
      const part = members.slice(i, i + BATCH);
      await s.run("deposit.insert_members", {
        chain: c,
        addresses: listValue(part.map((m) => addrs[m]!)),
        roots: listValue(part.map((m) => root.get(uf.find(m))!)),
      });
    }
    for (let i = 0; i < merges.length; i += BATCH) {
      const part = merges.slice(i, i + BATCH);
      await s.run("deposit.insert_evidence", {
        chain: c,
        txids: listValue(part.map((m) => m.txid)),
        heuristics: listValue(part.map((m) => m.heuristic)),
        address_a: listValue(part.map((m) => addrs[m.a]!)),
        address_b: listValue(part.map((m) => addrs[m.b]!)),
        confidence: DEPOSIT_CONFIDENCE,
      });
    }
    await s.run("cluster.refresh_clusters", { chain: c, service_threshold: threshold });
    const stats = await s.one("cluster.stats", { chain: c });
    return {
      depositAddresses: [...deposits.entries()].map(([address, d]) => ({
        address,
        exchange: names.get(d.exchange) ?? d.exchange,
        forwards: d.forwards.size,
      })),
      clusters: Number(stats?.n ?? 0),
      merges: merges.length,
    };
  }

  private async exchangeNames(chain: string, addresses: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [a, ls] of await this.labels.forAddresses(chain, addresses)) {
      const l = ls.find((x) => x.category === "exchange");
      if (l) out.set(a, l.actor ?? l.label);
    }
    return out;
  }
}
