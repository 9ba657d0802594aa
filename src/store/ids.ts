import { listValue } from "@duckdb/node-api";
import type { Store } from "./db.ts";
import { big, int, text } from "./rows.ts";

/** Integer ids of addresses and txids (what clustering works on). */
export class IdStore {
  constructor(private readonly store: Store) {}

  /** Gives each new address the next id; known ones keep theirs. */
  async internAddresses(addresses: string[]): Promise<void> {
    if (addresses.length > 0)
      await this.store.run("ids.intern_addresses", { addresses: listValue(addresses) });
  }

  async internTxids(txids: string[]): Promise<void> {
    if (txids.length > 0) await this.store.run("ids.intern_txids", { txids: listValue(txids) });
  }

  async txId(txid: string): Promise<number | undefined> {
    const r = await this.store.one("ids.tx_id", { txid });
    return r && int(r, "id");
  }

  /** Id and key of each of these addresses that has one. */
  async addressIds(addresses: string[]): Promise<{ address: string; id: number; key: bigint }[]> {
    return (await this.store.all("ids.address_ids", { addresses: listValue(addresses) })).map((r) => ({
      address: text(r, "address"),
      id: int(r, "id"),
      key: big(r, "key"),
    }));
  }
}
