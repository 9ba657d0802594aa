import type { Store } from "./db.ts";
import { big, int, intOrNull, text, textOrNull } from "./rows.ts";

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

  /** One row per asset, by asset. */
  async accountStats(chain: string, address: string): Promise<AccountAssetStats[]> {
    return (await this.store.all("addresses.account_stats", { chain, address })).map((r) => ({
      asset: text(r, "asset"),
      symbol: textOrNull(r, "symbol"),
      decimals: intOrNull(r, "decimals"),
      txCount: int(r, "tx_count"),
      received: big(r, "received"),
      sent: big(r, "sent"),
      firstSeen: intOrNull(r, "first_seen"),
      lastSeen: intOrNull(r, "last_seen"),
    }));
  }

  async accountTxCount(chain: string, address: string): Promise<number> {
    const r = await this.store.one("addresses.account_tx_count", { chain, address });
    return r ? int(r, "n") : 0;
  }
}
