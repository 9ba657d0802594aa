import { listValue } from "@duckdb/node-api";
import type { Store } from "./db.ts";
import { int } from "./rows.ts";

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
}
