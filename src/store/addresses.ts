import type { Store } from "./db.ts";
import { big, int, intOrNull, textOrNull } from "./rows.ts";

/** Totals of one address over stored data; times are Unix seconds. */
export interface UtxoAddressStats {
  txCount: number;
  received: bigint;
  sent: bigint;
  firstSeen: number | null;
  lastSeen: number | null;
  unconfirmed: number;
  /** Received and sent by unconfirmed (mempool) transactions. */
  pendingReceived: bigint;
  pendingSent: bigint;
}

export interface AccountAssetStats {
  asset: string;
  symbol: string | null;
  decimals: number | null;
  txCount: number;
  received: bigint;
  sent: bigint;
  firstSeen: number | null;
  lastSeen: number | null;
}

/** Per-address aggregates over stored transactions and transfers. */
export class AddressStore {
  constructor(private readonly store: Store) {}

  async utxoStats(chain: string, address: string): Promise<UtxoAddressStats> {
    const r = (await this.store.one("addresses.utxo_stats", { chain, address }))!;
    return {
      txCount: int(r, "tx_count"),
      received: big(r, "received"),
      sent: big(r, "sent"),
      firstSeen: intOrNull(r, "first_seen"),
      lastSeen: intOrNull(r, "last_seen"),
      unconfirmed: int(r, "unconfirmed"),
      pendingReceived: big(r, "pending_received"),
      pendingSent: big(r, "pending_sent"),
    };
  }

  /** One row per asset, by asset, and the transactions over all assets. */
  async accountStats(
    chain: string,
    address: string,
  ): Promise<{ assets: AccountAssetStats[]; txCount: number }> {
    const assets = new Map<string, AccountAssetStats>();
    let txCount = 0;
    for (const r of await this.store.all("addresses.account_stats", { chain, address })) {
      const asset = textOrNull(r, "asset");
      if (asset === null) {
        txCount += int(r, "tx_count");
        continue;
      }
      const add: AccountAssetStats = {
        asset,
        symbol: textOrNull(r, "symbol"),
        decimals: intOrNull(r, "decimals"),
        txCount: int(r, "tx_count"),
        received: big(r, "received"),
        sent: big(r, "sent"),
        firstSeen: intOrNull(r, "first_seen"),
        lastSeen: intOrNull(r, "last_seen"),
      };
      const a = assets.get(asset);
      assets.set(asset, a ? sum(a, add) : add);
    }
    return {
      assets: [...assets.values()].sort((x, y) => (x.asset < y.asset ? -1 : x.asset > y.asset ? 1 : 0)),
      txCount,
    };
  }
}

/** Two parts of one asset's totals (merged and pending) added up. */
function sum(a: AccountAssetStats, b: AccountAssetStats): AccountAssetStats {
  const min = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.min(x, y));
  const max = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
  return {
    asset: a.asset,
    symbol: a.symbol ?? b.symbol,
    decimals: a.decimals ?? b.decimals,
    txCount: a.txCount + b.txCount,
    received: a.received + b.received,
    sent: a.sent + b.sent,
    firstSeen: min(a.firstSeen, b.firstSeen),
    lastSeen: max(a.lastSeen, b.lastSeen),
  };
}
