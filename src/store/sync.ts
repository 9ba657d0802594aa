import { listValue } from "@duckdb/node-api";
import type { Store } from "./db.ts";
import { intOrNull, text, textOrNull } from "./rows.ts";

/** Where the last complete ingest of an address by a source ended. */
export interface SyncCursor {
  /** The newest txid seen (UTXO) or the last block covered (account chains). */
  cursor: string | null;
  tipHeight: number | null;
}

/** sync_cursors: one per (source, chain, address). */
export class SyncStore {
  constructor(private readonly store: Store) {}

  async cursor(source: string, chain: string, address: string): Promise<SyncCursor | undefined> {
    const r = await this.store.one("sync.get_cursor", { source, chain, address });
    return r && { cursor: textOrNull(r, "cursor"), tipHeight: intOrNull(r, "tip_height") };
  }

  async setCursor(source: string, chain: string, address: string, c: SyncCursor): Promise<void> {
    await this.store.run("sync.set_cursor", {
      source,
      chain,
      address,
      cursor: c.cursor,
      tip_height: c.tipHeight === null ? null : BigInt(c.tipHeight),
    });
  }

  /** Which of these addresses some source has ingested. */
  async ingested(chain: string, addresses: string[]): Promise<Set<string>> {
    const rows = await this.store.all("sync.cursors_of", { chain, addresses: listValue(addresses) });
    return new Set(rows.map((r) => text(r, "address")));
  }
}
