import { listValue } from "@duckdb/node-api";
import type { Store } from "./db.ts";
import { intOrNull, text, textOrNull } from "./rows.ts";

/** Where the last complete ingest of an address by a source ended. */
export interface SyncCursor {
  /** The newest txid seen (UTXO) or the last block covered (account chains). */
  cursor: string | null;
  tipHeight: number | null;
}

/** A time window in Unix seconds (null: open), as a windowed ingest recorded it. */
export interface StoredWindow {
  since: number | null;
  until: number | null;
}

/** sync_cursors: one per (source, chain, address); ingest_windows: what windowed ingests covered. */
export class SyncStore {
  constructor(private readonly store: Store) {}

  async cursor(source: string, chain: string, address: string): Promise<SyncCursor | undefined> {
    const r = await this.store.one("sync.get_cursor", { source, chain, address });
    return r && { cursor: textOrNull(r, "cursor"), tipHeight: intOrNull(r, "tip_height") };
  }

  async setCursor(source: string, chain: string, address: string, c: SyncCursor): Promise<void> {
    await this.store.tx(async (tx) => {
      await tx.run("sync.set_cursor", {
        source,
        chain,
        address,
        cursor: c.cursor,
        tip_height: c.tipHeight === null ? null : BigInt(c.tipHeight),
      });
      tx.changesOnly("sync_cursors", [address]);
    });
  }

  /** Records a windowed ingest of the address (no cursor: its history stays partial). */
  async addWindow(source: string, chain: string, address: string, w: StoredWindow): Promise<void> {
    await this.store.tx(async (tx) => {
      await tx.run("sync.add_window", {
        source,
        chain,
        address,
        since: w.since === null ? null : BigInt(w.since),
        until: w.until === null ? null : BigInt(w.until),
      });
      tx.changesOnly("ingest_windows", [address]);
    });
  }

  /** The windows of these addresses ingested only for time windows (none once ingested in full). */
  async windows(chain: string, addresses: string[]): Promise<Map<string, StoredWindow[]>> {
    const out = new Map<string, StoredWindow[]>();
    if (addresses.length === 0) return out;
    const rows = await this.store.all("sync.windows_of", { chain, addresses: listValue(addresses) });
    for (const r of rows) {
      const a = text(r, "address");
      out.set(a, [...(out.get(a) ?? []), { since: intOrNull(r, "since"), until: intOrNull(r, "until") }]);
    }
    return out;
  }

  /** Which of these addresses some source has ingested. */
  async ingested(chain: string, addresses: string[]): Promise<Set<string>> {
    const rows = await this.store.all("sync.cursors_of", { chain, addresses: listValue(addresses) });
    return new Set(rows.map((r) => text(r, "address")));
  }
}
