import { listValue } from "@duckdb/node-api";
import { type AccountTransfer, KIND_ORDER, type TransferKind } from "../domain.ts";
import { StoreError } from "../errors.ts";
import { appendRows, type Columns } from "./append.ts";
import type { Store } from "./db.ts";
import { big, flag, int, intOrNull, text, textOrNull } from "./rows.ts";

/** account_transfers: one row per native transfer, internal call value, token log or fee. */
export class AccountStore {
  constructor(private readonly store: Store) {}

  /** Idempotent: the same transfer seen again replaces its row. One row: see writeTransfers. */
  async upsertTransfer(r: AccountTransfer): Promise<void> {
    await this.writeTransfers([r]);
  }

  /**
   * Writes a batch of transfers, idempotent: a transfer seen again (same chain, txid, kind, seq) replaces
   * its row, the last one of the batch winning. Appended to a staging table and merged by two set-based
   * statements; inside the caller's transaction if any, else in one of its own.
   */
  async writeTransfers(rows: readonly AccountTransfer[]): Promise<void> {
    if (rows.length === 0) return;
    const s = this.store;
    const batch = lastOfEachKey(rows);
    await s.tx(async () => {
      await appendRows(s, "account_transfers_stage", STAGE_COLUMNS, batch);
      const seen = await s.one("account.stage_seen");
      await s.run("account.add_pending_totals");
      await s.run("account.insert_staged");
      let rewritten = false;
      // rows already stored (a rerun, another address's ingest) are updated where they differ, and
      // the totals of their parties counted again
      if (seen !== undefined && int(seen, "Count") > 0) {
        const updated = await s.one("account.update_staged");
        rewritten = updated !== undefined && int(updated, "Count") > 0;
        if (rewritten) await recountTotals(s);
        await s.run("account.clear_seen");
      }
      await s.run("account.clear_stage");
      const pending = await s.one("account.pending_totals_count");
      if (pending !== undefined && int(pending, "n") >= MERGE_PENDING_AT) await this.mergeTotals();
      declareChanged(s, batch, rewritten);
    });
  }

  /** Folds the pending additions into the per-address totals (a write does once they are many). */
  async mergeTotals(): Promise<void> {
    const s = this.store;
    await s.tx(async () => {
      await s.run("account.merge_asset_totals");
      await s.run("account.merge_address_txs");
      await s.run("account.clear_pending_totals");
    });
  }

  /** Every stored transfer touching these addresses, in chain order. */
  async transfersOf(chain: string, addresses: string[]): Promise<AccountTransfer[]> {
    const rows = await this.store.all("account.transfers_of", { chain, addresses: listValue(addresses) });
    return rows.map((r) => ({
      chain,
      txid: text(r, "txid"),
      kind: kind(text(r, "kind")),
      seq: int(r, "seq"),
      blockNumber: int(r, "block_number"),
      blockHash: textOrNull(r, "block_hash"),
      blockTime: intOrNull(r, "block_time"),
      txIndex: intOrNull(r, "tx_index") ?? 0,
      logIndex: intOrNull(r, "log_index"),
      traceAddress: textOrNull(r, "trace_address"),
      from: text(r, "from_address"),
      to: textOrNull(r, "to_address"),
      asset: text(r, "asset"),
      symbol: textOrNull(r, "symbol"),
      decimals: intOrNull(r, "decimals"),
      value: big(r, "value"),
      success: flag(r, "success"),
    }));
  }
}

/** Tables an address lookup reads that a write of transfers changes. */
const LOOKUP_TABLES = [
  "account_transfers",
  "account_totals_pending",
  "account_address_assets",
  "account_address_txs",
];

/**
 * Tells the store whose lookups a batch changes, so kept answers of other addresses stay valid while an
 * ingest runs: the parties of its transfers (a merge of pending totals changes no answer). A rewritten
 * transfer may have had other parties: then any address may have changed.
 */
function declareChanged(s: Store, batch: readonly AccountTransfer[], rewritten: boolean): void {
  for (const t of LOOKUP_TABLES) {
    if (rewritten) s.changesAnyKey(t);
    else s.changesOnly(t, parties(batch));
  }
}

function* parties(batch: readonly AccountTransfer[]): Iterable<string> {
  for (const r of batch) {
    yield r.from;
    if (r.to !== null) yield r.to;
  }
}

/**
 * Pending additions to per-address totals are merged once there are this many rows. Merging costs about
 * the same for few rows as for many (DuckDB's upsert grows with the table), and a lookup scans the
 * pending rows: 20k-transfer batches merged one by one took a third of the write time.
 */
const MERGE_PENDING_AT = 100_000;

/** Per-address totals of the parties of updated transfers, counted again from the stored rows. */
async function recountTotals(s: Store): Promise<void> {
  await s.run("account.mark_dirty_totals");
  await s.run("account.drop_dirty_asset_totals");
  await s.run("account.drop_dirty_address_txs");
  await s.run("account.drop_dirty_pending_totals");
  await s.run("account.recount_asset_totals");
  await s.run("account.recount_address_txs");
  await s.run("account.clear_dirty_totals");
}

function isKind(k: string): k is TransferKind {
  return Object.hasOwn(KIND_ORDER, k);
}

function kind(k: string): TransferKind {
  if (!isKind(k)) throw new StoreError(`unknown transfer kind "${k}"`);
  return k;
}

/** account_transfers_stage, column by column. */
const STAGE_COLUMNS: Columns<AccountTransfer> = [
  ["varchar", (r) => r.chain],
  ["varchar", (r) => r.txid],
  ["varchar", (r) => r.kind],
  ["integer", (r) => r.seq],
  ["bigint", (r) => BigInt(r.blockNumber)],
  ["varchar", (r) => r.blockHash],
  ["bigint", (r) => (r.blockTime === null ? null : BigInt(r.blockTime))],
  ["integer", (r) => r.txIndex],
  ["integer", (r) => r.logIndex],
  ["varchar", (r) => r.traceAddress],
  ["varchar", (r) => r.from],
  ["varchar", (r) => r.to],
  ["varchar", (r) => r.asset],
  ["varchar", (r) => r.symbol],
  ["integer", (r) => r.decimals],
  ["hugeint", (r) => r.value],
  ["boolean", (r) => r.success],
];

/** The batch with each (chain, txid, kind, seq) once, its last occurrence kept (as row-by-row upserts would). */
function lastOfEachKey(rows: readonly AccountTransfer[]): readonly AccountTransfer[] {
  const last = new Map<string, number>();
  rows.forEach((r, i) => {
    last.set(`${r.chain}\n${r.txid}\n${r.kind}\n${r.seq}`, i);
  });
  if (last.size === rows.length) return rows;
  const keep = new Set(last.values());
  return rows.filter((_, i) => keep.has(i));
}
