/**
 * EVM clustering by deposit-address reuse (Victor 2020, "Address clustering heuristics for Ethereum").
 *
 * An exchange gives each customer a deposit address D and sweeps whatever reaches D to its hot wallet.
 * So D is a deposit address when it forwards what it receives to a labelled exchange address soon
 * after (tokens: the exact amount; native: the amount less at most a fee) and does nothing else in that
 * window; then every account that sent to D is one customer and becomes one cluster. D itself belongs
 * to the exchange: it is never merged with its senders, nor with the exchange. D may itself carry the
 * exchange's label; then it must forward all it receives to another exchange address (no outflow
 * elsewhere, nothing kept), which a hot wallet never does. The query is the one every account chain uses.
 *
 * The detection is one SQL statement (queries/deposit/matches.sql); the merge is a union-find
 * (clusterDepositSenders in core/cluster.ts).
 * Evidence rows: txid = the sender's transfer into D, address_a = that sender, address_b = the previous
 * sender of the same D, heuristic = `deposit-address:<D>:<forwarding txid>` (the schema has no other
 * place for the deposit address and the sweep that proved it).
 */
import { getChain, sameAddressSpace } from "../chains.ts";
import { clusterDepositSenders } from "../core/cluster.ts";
import { BadInputError } from "../errors.ts";
import { ClusterStore } from "../store/clusters.ts";
import type { Store } from "../store/db.ts";
import { DepositStore } from "../store/deposit.ts";
import { IdStore } from "../store/ids.ts";
import type { LabelService } from "./labels.ts";

export const DEPOSIT_HEURISTIC = "deposit-address";
/** Below multi-input's 100: the link goes through a third party's (the exchange's) behaviour. */
export const DEPOSIT_CONFIDENCE = 80;
/** 0.01 ETH: a sweep pays its own gas out of what it forwards. */
export const DEFAULT_MAX_FEE_WEI = 10n ** 16n;
/** 10 TRX: a TRX sweep burns bandwidth (and 1.1 TRX to activate a new hot wallet) out of what it forwards. */
export const DEFAULT_MAX_FEE_SUN = 10_000_000n;
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

// the id interning is sliced like the writes: DuckDB list parameters are built in memory
const BATCH = 20_000;

export class DepositClusterer {
  constructor(
    private readonly store: Store,
    private readonly labels: LabelService,
  ) {}

  /** Full recompute of the chain's clusters from its stored account transfers and exchange labels. */
  async cluster(chainName: string, opts: DepositOptions = {}): Promise<DepositClusterResult> {
    const chain = getChain(chainName);
    if (chain.family !== "evm" && chain.family !== "tron") {
      throw new BadInputError(`the deposit-address heuristic is for EVM chains and Tron, not ${chain.name}`);
    }
    const maxFee = opts.maxFeeWei ?? (chain.family === "tron" ? DEFAULT_MAX_FEE_SUN : DEFAULT_MAX_FEE_WEI);
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
    const deposit = new DepositStore(s);
    const clusters = new ClusterStore(s);
    const ids = new IdStore(s);
    const rows = await deposit.matches(c, {
      space: sameAddressSpace(c),
      maxFeeWei: maxFee,
      windowBlocks: window,
    });
    const { deposits, senders, members, merges } = clusterDepositSenders(rows);
    const names = await this.exchangeNames(c, [...new Set([...deposits.values()].map((d) => d.exchange))]);

    await clusters.forgetMembership(c);
    // membership and evidence are stored as ids: intern what is new
    for (let i = 0; i < senders.length; i += BATCH) await ids.internAddresses(senders.slice(i, i + BATCH));
    for (let i = 0; i < merges.length; i += BATCH)
      await ids.internTxids(merges.slice(i, i + BATCH).map((m) => m.txid));
    await deposit.insertMembers(c, members);
    await deposit.insertEvidence(
      c,
      merges.map((m) => ({ ...m, heuristic: depositHeuristic(m.deposit, m.forwardTxid) })),
      DEPOSIT_CONFIDENCE,
    );
    await clusters.refreshClusters(c, threshold);
    const stats = await clusters.stats(c);
    return {
      depositAddresses: [...deposits.entries()].map(([address, d]) => ({
        address,
        exchange: names.get(d.exchange) ?? d.exchange,
        forwards: d.forwards.size,
      })),
      clusters: stats.clusters,
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
