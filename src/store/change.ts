import {
  type DuckDBAppender,
  DuckDBDataChunk,
  DuckDBIntegerType,
  DuckDBVarCharType,
  type DuckDBVector,
  listValue,
} from "@duckdb/node-api";
import { CHANGE_HEURISTICS, type ChangeGuess } from "../core/change.ts";
import type { AddressFactTable } from "../core/change-ids.ts";
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

  /**
   * Each work address's first stored confirmed tx paying it (chain order: height, then txid) into
   * table.firstTx; `all`: of every address (no change_work_addr needed: cheaper when the work is most
   * of the store). The lowest height is found in JS over streamed rows; txids are read for ties only.
   */
  async firstSeen(chain: string, all: boolean, table: AddressFactTable): Promise<void> {
    await this.store.streamInts("change.paid", { chain, all }, (c, n) =>
      table.addPaid(c[0] as Int32Array, c[1] as Int32Array, c[2] as Int32Array, n),
    );
    const ties = table.tiedAddresses();
    if (ties.length === 0) return;
    await this.store.streamInts("change.first_seen_ties", { chain, ids: listValue(ties) }, (c, n) =>
      table.addFirstSeen(c[0] as Int32Array, c[1] as Int32Array, n),
    );
  }

  /** Per work address (every one when `all`) with stored spends: n, versions, version min/max, locktime style min/max, rbf min/max. */
  async streamSpendSummary(
    chain: string,
    all: boolean,
    fn: (cols: IntColumn[], rows: number) => void,
  ): Promise<void> {
    await this.store.streamInts("change.spend_summary", { chain, all }, fn);
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

  /** Inputs and outputs of every tx with an id in [lo, hi]: the caller keeps those of the work txs. */
  async workInputs(lo: number, hi: number): Promise<IntColumn[]> {
    return this.store.typedColumns("change.work_inputs", { lo, hi });
  }

  async workOutputs(types: string[], lo: number, hi: number): Promise<IntColumn[]> {
    return this.store.typedColumns("change.work_outputs", { types: listValue(types), lo, hi });
  }

  /** A writer of guesses by ids as they are made; close it before insertGuesses. */
  async guessWriter(): Promise<GuessWriter> {
    return new GuessWriter(await this.store.appender("change_work_guess"));
  }

  /** The appended guesses into change_guess_ids, spender counts filled in. */
  async insertGuesses(chain: string): Promise<void> {
    await this.store.run("change.insert_guesses", { chain, heuristics: listValue([...CHANGE_HEURISTICS]) });
  }

  async clearWork(): Promise<void> {
    await this.store.run("change.clear_work_addr");
    await this.store.run("change.clear_work_guess");
  }
}

const CHUNK = 2048;
const INT = DuckDBIntegerType.instance;
const VARCHAR = DuckDBVarCharType.instance;
/** change_work_guess: tx, vout, address, heuristic, confidence, reason, spenders, big_id. */
const GUESS_TYPES = [INT, INT, INT, INT, INT, VARCHAR, INT, INT];

/**
 * Guesses into change_work_guess, a chunk of 2048 at a time from typed columns: a run makes millions,
 * none is kept as an object. A reason may hold the stand-ins of core/change.ts (insertGuesses replaces
 * them); spenders and big_id are set when it holds REASON_SPENDERS.
 */
export class GuessWriter {
  private readonly ints = Array.from({ length: 7 }, () => new Int32Array(CHUNK));
  private readonly reasons: string[] = new Array(CHUNK);
  private n = 0;
  private chunk: DuckDBDataChunk | null = null;
  private vectors: DuckDBVector[] = [];
  private uses = 0;

  constructor(private readonly app: DuckDBAppender) {}

  push(txId: number, g: ChangeGuess<number>, spenders: { count: number; big: number } | null): void {
    const i = this.n;
    const [tx, vout, addr, heuristic, confidence, count, big] = this.ints;
    tx![i] = txId;
    vout![i] = g.vout;
    addr![i] = g.address;
    heuristic![i] = CHANGE_HEURISTICS.indexOf(g.heuristic);
    confidence![i] = g.confidence;
    count![i] = spenders === null ? -1 : spenders.count;
    big![i] = spenders === null ? -1 : spenders.big;
    this.reasons[i] = g.reason;
    if (++this.n === CHUNK) this.flush();
  }

  /** Appends what is left and closes the appender (the rows land with the run's transaction). */
  close(): void {
    try {
      this.flush();
    } finally {
      this.app.closeSync();
    }
  }

  private flush(): void {
    const n = this.n;
    if (n === 0) return;
    // a chunk's vector wrappers are made once and refilled: making them costs more than the rows;
    // a fresh chunk now and then lets go of the strings the old one holds
    if (this.chunk === null || this.chunk.rowCount !== n || this.uses === 64) {
      this.chunk = DuckDBDataChunk.create(GUESS_TYPES, n);
      this.vectors = GUESS_TYPES.map((_, i) => this.chunk!.getColumnVector(i));
      this.uses = 0;
    }
    this.uses++;
    const c = this.chunk;
    const [tx, vout, addr, heuristic, confidence, count, big] = this.ints;
    const set = (col: number, get: (r: number) => unknown) => {
      const v = this.vectors[col]!;
      for (let r = 0; r < n; r++) v.setItem(r, get(r) as never);
      v.flush();
    };
    set(0, (r) => tx![r]);
    set(1, (r) => vout![r]);
    set(2, (r) => addr![r]);
    set(3, (r) => heuristic![r]);
    set(4, (r) => confidence![r]);
    set(5, (r) => this.reasons[r]);
    set(6, (r) => (count![r] === -1 ? null : count![r]));
    set(7, (r) => (big![r] === -1 ? null : big![r]));
    this.app.appendDataChunk(c);
    this.n = 0;
  }
}
