import { getChain, normalizeAddress } from "../chains.ts";
import type { Store } from "../store/db.ts";
import type { LabelService } from "./labels.ts";
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
    exact: boolean;
    unconfirmedTxCount?: number;
  };
  assets?: AssetStats[];
}

function iso(epochSeconds: unknown): string | null {
  if (epochSeconds === null || epochSeconds === undefined) return null;
  return new Date(Number(epochSeconds) * 1000).toISOString();
}

export class AddressService {
  constructor(
    private readonly store: Store,
    private readonly labels: LabelService,
  ) {}

  /** What is known of one address: labels, cluster, stats from stored data. */
  async info(chainName: string, rawAddress: string): Promise<AddressInfo> {
    const chain = getChain(chainName);
    const address = normalizeAddress(chain.name, rawAddress);
    const labels = (await this.labels.forAddresses(chain.name, [address])).get(address) ?? [];
    const c = await this.store.one("clusters.of_address", { chain: chain.name, address });
    const cluster = c
      ? { id: String(c.cluster_id), size: Number(c.size), isService: Boolean(c.is_service) }
      : null;
    const base = { chain: chain.name, address, labels: labels.map(publicLabel), cluster };
    if (chain.family === "bitcoin") {
      const s = (await this.store.one("addresses.utxo_stats", { chain: chain.name, address }))!;
      const received = s.received as bigint;
      const sent = s.sent as bigint;
      return {
        ...base,
        stats: {
          asset: chain.symbol,
          txCount: Number(s.tx_count),
          received: received.toString(),
          sent: sent.toString(),
          balance: (received - sent).toString(),
          firstSeen: iso(s.first_seen),
          lastSeen: iso(s.last_seen),
          exact: true,
          unconfirmedTxCount: Number(s.unconfirmed),
        },
      };
    }
    const rows = await this.store.all("addresses.account_stats", { chain: chain.name, address });
    const assets: AssetStats[] = rows.map((r) => {
      const received = r.received as bigint;
      const sent = r.sent as bigint;
      return {
        asset: r.asset as string,
        symbol: (r.symbol as string | null) ?? "",
        decimals: Number(r.decimals ?? 0),
        txCount: Number(r.tx_count),
        received: received.toString(),
        sent: sent.toString(),
        balance: (received - sent).toString(),
        firstSeen: iso(r.first_seen),
        lastSeen: iso(r.last_seen),
      };
    });
    const native = assets.find((a) => a.asset === chain.symbol);
    const txCount = Number(
      (await this.store.one("addresses.account_tx_count", { chain: chain.name, address }))?.n ?? 0,
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
        exact: true,
      },
      assets,
    };
  }
}
