import { listValue } from "@duckdb/node-api";
import type { IdGuess } from "../core/change-ids.ts";
import { appendRows, type Columns } from "./append.ts";
import type { IntColumn, Store } from "./db.ts";
import { int, text, textOrNull } from "./rows.ts";

/**
 * What the change step of a clustering run reads and writes, by integer ids, for the work transactions
 * of the run (cluster_work_tx) and the addresses they touch (change_work_addr). Inside the run's store.tx().
 */
export class ChangeStore {
  constructor(private readonly store: Store) {}

  async fillWorkAddresses(): Promise<void> {
    await this.store.run("change.fill_work_addr");
  }

  /** Work txs from an older file whose CoinJoin shape was not looked at yet. */
  async uncheckedCoinjoins(chain: string): Promise<{ txId: number; txid: string }[]> {
    return (await this.store.all("change.unchecked_coinjoins", { chain })).map((r) => ({
      txId: int(r, "tx_id"),
      txid: text(r, "txid"),
    }));
  }

  async setCoinjoins(chain: string, rows: { txId: number; kind: string | null }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.store.run("change.set_coinjoins", {
      chain,
      ids: listValue(rows.map((r) => r.txId)),
      kinds: listValue(rows.map((r) => r.kind)),
    });
  }

  /** (address id, first tx id) of every work address paid by a stored confirmed tx. */
  async streamFirstSeen(chain: string, fn: (cols: IntColumn[], rows: number) => void): Promise<void> {
    await this.store.streamInts("change.first_seen", { chain }, fn);
  }

  /** Per work address with stored spends: n, versions, version min/max, locktime style min/max, rbf min/max. */
  async streamSpendSummary(chain: string, fn: (cols: IntColumn[], rows: number) => void): Promise<void> {
    await this.store.streamInts("change.spend_summary", { chain }, fn);
  }

  /** The input script types of the work txs: change.work_txs gives each as its 1-based position here. */
  async inTypes(chain: string): Promise<string[]> {
    return (await this.store.all("change.in_types", { chain })).map((r) => textOrNull(r, "in_type") ?? "");
  }

  /** Smallest and largest non-CoinJoin work tx id, and how many there are. */
  async workRange(): Promise<{ lo: number; hi: number; n: number }> {
    const r = (await this.store.one("change.work_range"))!;
    return { lo: int(r, "lo"), hi: int(r, "hi"), n: int(r, "n") };
  }

  /** Typed columns of the work txs, inputs and outputs with tx ids in [lo, hi] (see queries/change). */
  async workTxs(chain: string, types: string[], lo: number, hi: number): Promise<IntColumn[]> {
    return this.store.typedColumns("change.work_txs", { chain, types: listValue(types), lo, hi });
  }

  async workInputs(chain: string, lo: number, hi: number): Promise<IntColumn[]> {
    return this.store.typedColumns("change.work_inputs", { chain, lo, hi });
  }

  async workOutputs(chain: string, lo: number, hi: number): Promise<IntColumn[]> {
    return this.store.typedColumns("change.work_outputs", { chain, lo, hi });
  }

  /** Guesses by ids; a reason may hold the stand-ins of core/change.ts (insertGuesses replaces them). */
  async appendGuesses(rows: readonly IdGuess[]): Promise<void> {
    await appendRows(this.store, "change_work_guess", GUESS_COLUMNS, rows);
  }

  /** The appended guesses into change_guesses, strings filled in. */
  async insertGuesses(chain: string): Promise<void> {
    await this.store.run("change.insert_guesses", { chain });
  }

  async clearWork(): Promise<void> {
    await this.store.run("change.clear_work_addr");
    await this.store.run("change.clear_work_guess");
  }
}

const GUESS_COLUMNS: Columns<IdGuess> = [
  ["integer", (g) => g.txId],
  ["integer", (g) => g.vout],
  ["integer", (g) => g.address],
  ["varchar", (g) => g.heuristic],
  ["integer", (g) => g.confidence],
  ["varchar", (g) => g.reason],
  ["integer", (g) => g.spenders?.count ?? null],
  ["integer", (g) => g.spenders?.big ?? null],
];
