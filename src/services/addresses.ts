import { type ChainInfo, getChain, normalizeAddress } from "../chains.ts";
import { windowText } from "../core/time.ts";
import { AddressStore } from "../store/addresses.ts";
import { ClusterStore } from "../store/clusters.ts";
import type { Store } from "../store/db.ts";
import { ReadCache } from "../store/read-cache.ts";
import { type StoredWindow, SyncStore } from "../store/sync.ts";
import { LABEL_QUERIES, type LabelService } from "./labels.ts";
import { type PublicLabel, publicLabel } from "./screen.ts";

export interface AssetStats {
  asset: string;
  symbol: string;
  decimals: number;
  txCount: number;
  received: string;
  sent: string;
  balance: string;
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface AddressInfo {
  chain: string;
  address: string;
  labels: PublicLabel[];
  cluster: { id: string; size: number; isService: boolean } | null;
  stats: Omit<AssetStats, "asset" | "symbol" | "decimals"> & {
    asset: string;
    /** True only when the figures cover the address's whole history and no balance is negative. */
    exact: boolean;
    /** Why the figures are not exact (never ingested, or more sent than the stored history received). */
    partial?: string;
    unconfirmedTxCount?: number;
    /** Bitcoin: unconfirmed (mempool) figures, beside the confirmed ones as Esplora's mempool_stats. */
    pending?: { txCount: number; received: string; sent: string; balance: string };
  };
  assets?: AssetStats[];
}

function iso(epochSeconds: number | null): string | null {
  if (epochSeconds === null) return null;
  return new Date(epochSeconds * 1000).toISOString();
}

/**
 * Why stored figures are not the address's whole story, or undefined when they are: an address never
 * ingested shows only what other addresses' histories hold; one that sent more than it received has
 * value fundtrace never saw arrive (a genesis or pre-funded balance, block rewards, withdrawals, or
 * history before the first block read).
 */
function partial(ingested: boolean, negative: string[], windows?: StoredWindow[]): string | undefined {
  const why: string[] = [];
  if (windows?.length)
    why.push(
      `ingested only for a time window (${windows.map(windowText).join("; ")}): the history outside it is not stored`,
    );
  else if (!ingested) why.push("never ingested: only what other stored histories show");
  if (negative.length > 0)
    why.push(
      `sent more ${negative.join(", ")} than the stored history received: a genesis or pre-funded balance, rewards or withdrawals, or history not read, are not counted`,
    );
  return why.length ? why.join("; ") : undefined;
}

export class AddressService {
  private readonly db: AddressStore;
  private readonly clusters: ClusterStore;
  private readonly sync: SyncStore;

  private readonly cache: ReadCache<AddressInfo>;

  constructor(
    store: Store,
    private readonly labels: LabelService,
  ) {
    this.cache = new ReadCache(store, [
      ...LABEL_QUERIES,
      "cluster.by_address",
      "sync.cursors_of",
      "sync.windows_of",
      "addresses.utxo_stats",
      "addresses.account_stats",
    ]);
    this.db = new AddressStore(store);
    this.clusters = new ClusterStore(store);
    this.sync = new SyncStore(store);
  }

  /**
   * What is known of one address: labels, cluster, stats from stored data. Kept between calls until a
   * write changes what it is read from (ReadCache): a shared server answers the same hot addresses again
   * and again.
   */
  async info(chainName: string, rawAddress: string): Promise<AddressInfo> {
    const chain = getChain(chainName);
    const address = normalizeAddress(chain.name, rawAddress);
    return this.cache.getOne(`${chain.name}\n${address}`, address, () => this.compute(chain, address));
  }

  /** Lookups answered from kept answers, computed, and taken from a computation under way. */
  cacheStats(): { hits: number; misses: number; shared: number } {
    return { hits: this.cache.hits, misses: this.cache.misses, shared: this.cache.shared };
  }

  private async compute(chain: ChainInfo, address: string): Promise<AddressInfo> {
    const labels = (await this.labels.forAddresses(chain.name, [address])).get(address) ?? [];
    const c = await this.clusters.byAddress(chain.name, address);
    const cluster = c ? { id: c.clusterId.toString(), size: c.size, isService: c.isService } : null;
    const base = { chain: chain.name, address, labels: labels.map(publicLabel), cluster };
    const ingested = (await this.sync.ingested(chain.name, [address])).has(address);
    const windows = (await this.sync.windows(chain.name, [address])).get(address);
    if (chain.family === "bitcoin") {
      const s = await this.db.utxoStats(chain.name, address);
      const why = partial(ingested, s.received - s.sent < 0n ? [chain.symbol] : [], windows);
      return {
        ...base,
        stats: {
          asset: chain.symbol,
          txCount: s.txCount,
          received: s.received.toString(),
          sent: s.sent.toString(),
          balance: (s.received - s.sent).toString(),
          firstSeen: iso(s.firstSeen),
          lastSeen: iso(s.lastSeen),
          exact: why === undefined,
          ...(why ? { partial: why } : {}),
          unconfirmedTxCount: s.unconfirmed,
          pending: {
            txCount: s.unconfirmed,
            received: s.pendingReceived.toString(),
            sent: s.pendingSent.toString(),
            balance: (s.pendingReceived - s.pendingSent).toString(),
          },
        },
      };
    }
    const { assets: rows, txCount } = await this.db.accountStats(chain.name, address);
    const assets: AssetStats[] = rows.map((r) => ({
      asset: r.asset,
      symbol: r.symbol ?? "",
      decimals: r.decimals ?? 0,
      txCount: r.txCount,
      received: r.received.toString(),
      sent: r.sent.toString(),
      balance: (r.received - r.sent).toString(),
      firstSeen: iso(r.firstSeen),
      lastSeen: iso(r.lastSeen),
    }));
    const native = assets.find((a) => a.asset === chain.symbol);
    const why = partial(
      ingested,
      assets.filter((a) => BigInt(a.balance) < 0n).map((a) => a.symbol || a.asset),
      windows,
    );
    return {
      ...base,
      stats: {
        asset: chain.symbol,
        txCount,
        received: native?.received ?? "0",
        sent: native?.sent ?? "0",
        balance: native?.balance ?? "0",
        firstSeen:
          assets
            .map((a) => a.firstSeen)
            .filter((x) => x !== null)
            .sort()[0] ?? null,
        lastSeen:
          assets
            .map((a) => a.lastSeen)
            .filter((x) => x !== null)
            .sort()
            .at(-1) ?? null,
        exact: why === undefined,
        ...(why ? { partial: why } : {}),
      },
      assets,
    };
  }
}
