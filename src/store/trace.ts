import { listValue } from "@duckdb/node-api";
import type { Store } from "./db.ts";
import { big, int, intOrNull, text, textOrNull } from "./rows.ts";

/**
 * What the resident trace graph reads (queries/trace/): everything as integers. Addresses are
 * address_ids, UTXO transactions tx_ids, account transfers the transfer id `tid` the trace index
 * gives each row once. Amounts travel as `value - 2^63` in a BIGINT (2^63 - 1 marks a value too large
 * for 64 bits, read apart with accountBigValues).
 */

/** Rows with ids in (after, upto] of one chain. */
export interface IdRange {
  chain: string;
  after: number;
  upto: number;
}

export interface TraceAsset {
  asset: string;
  symbol: string | null;
  decimals: number | null;
}

/** One chunk of account transfers (see trace.account_rows for the columns); valid during the call only. */
export interface StoredTransfers {
  rows: number;
  from: Int32Array;
  /** -1: no recipient. */
  to: Int32Array;
  /** Position in the asset list the rows were asked with. */
  asset: Int32Array;
  /** Kind order (fee 0, native 1, internal 2, token 3), +4 when successful. */
  flags: Int32Array;
  block: Int32Array;
  txIndex: Int32Array;
  seq: Int32Array;
  /** A 31-bit hash of the txid, equal within a transaction. */
  tag: Int32Array;
  tid: Int32Array;
  /** value - 2^63; 2^63 - 1: the value is 2^64 - 1 or more. */
  value: BigInt64Array;
}

/** One chunk of UTXO inputs, by tx id then vin. */
export interface StoredInputs {
  rows: number;
  tx: Int32Array;
  vin: Int32Array;
  /** Previous tx id; -1 coinbase, -3 a txid without id. */
  prev: Int32Array;
  prevVout: Int32Array;
  /** -1: no address. */
  addr: Int32Array;
  value: BigInt64Array;
}

/** One chunk of UTXO outputs, by tx id then vout. */
export interface StoredOutputs {
  rows: number;
  tx: Int32Array;
  vout: Int32Array;
  addr: Int32Array;
  /** Spending tx id; -1 unspent, -3 a txid without id. */
  spent: Int32Array;
  spentVin: Int32Array;
  value: BigInt64Array;
}

const range = (r: IdRange) => ({ chain: r.chain, after: BigInt(r.after), upto: BigInt(r.upto) });
const intRange = (r: IdRange) => ({ chain: r.chain, after: r.after, upto: r.upto });

export class TraceStore {
  constructor(private readonly store: Store) {}

  // --- account transfers ---

  /** The highest transfer id of the chain, and how many rows the trace index has not seen yet. */
  async accountWatermark(chain: string): Promise<{ upto: number; unindexed: number }> {
    const r = (await this.store.one("trace.account_watermark", { chain }))!;
    return { upto: int(r, "upto"), unindexed: int(r, "unindexed") };
  }

  /** Gives the rows the trace index has not seen their transfer ids and party ids, in one transaction. */
  async indexAccount(chain: string): Promise<void> {
    await this.store.tx(async () => {
      await this.store.run("trace.intern_account_addresses", { chain });
      await this.store.run("trace.index_account", { chain });
    });
  }

  async accountAssets(r: IdRange): Promise<TraceAsset[]> {
    return (await this.store.all("trace.account_assets", range(r))).map((x) => ({
      asset: text(x, "asset"),
      symbol: textOrNull(x, "symbol"),
      decimals: intOrNull(x, "decimals"),
    }));
  }

  /**
   * Streams the transfers with ids in the range: in chain order, or `asStored` (no sort: the caller
   * checks the order). `restart`: the rows come again from the start (see Store.streamInts).
   */
  async streamTransfers(
    r: IdRange,
    assets: string[],
    asStored: boolean,
    fn: (c: StoredTransfers) => void,
    restart: () => void,
  ): Promise<void> {
    await this.streamRows(
      asStored ? "trace.account_rows_stored" : "trace.account_rows",
      { ...range(r), assets: listValue(assets) },
      ["from", "to", "asset", "flags", "block", "txIndex", "seq", "tag", "tid"],
      fn,
      restart,
    );
  }

  /** Values of 2^64 - 1 or more in the range, by transfer id. */
  async accountBigValues(r: IdRange): Promise<Map<number, bigint>> {
    const m = new Map<number, bigint>();
    for (const x of await this.store.all("trace.account_big_values", range(r)))
      m.set(int(x, "tid"), big(x, "value"));
    return m;
  }

  // --- UTXO transactions ---

  /** The chain's highest tx id in the UTXO index and how many transactions it has. */
  async utxoWatermark(chain: string): Promise<{ upto: number; count: number }> {
    const r = (await this.store.one("trace.utxo_watermark", { chain }))!;
    return { upto: int(r, "upto"), count: int(r, "n") };
  }

  /** Transactions with ids in the range, by id, and their block height (2147483647: unconfirmed). */
  async utxoTxs(r: IdRange): Promise<{ ids: Int32Array; heights: Int32Array }> {
    const [ids, heights] = (await this.store.typedColumns("trace.utxo_txs", intRange(r))) as [
      Int32Array,
      Int32Array,
    ];
    return { ids, heights };
  }

  async streamUtxoInputs(r: IdRange, fn: (c: StoredInputs) => void, restart: () => void): Promise<void> {
    const cols = ["tx", "vin", "prev", "prevVout", "addr"] as const;
    await this.streamRows("trace.utxo_inputs", intRange(r), cols, fn, restart);
  }

  async streamUtxoOutputs(r: IdRange, fn: (c: StoredOutputs) => void, restart: () => void): Promise<void> {
    const cols = ["tx", "vout", "addr", "spent", "spentVin"] as const;
    await this.streamRows("trace.utxo_outputs", intRange(r), cols, fn, restart);
  }

  /** Inputs of transactions with ids ≤ after that spend transactions with ids in the range. */
  async utxoInputLinks(r: IdRange): Promise<{ txId: number; vin: number; prevId: number }[]> {
    return (await this.store.all("trace.utxo_input_links", intRange(r))).map((x) => ({
      txId: int(x, "tx_id"),
      vin: int(x, "vin"),
      prevId: int(x, "prev_id"),
    }));
  }

  // --- completeness, labels, clusters ---

  /** Changes when the chain's sync cursors do. */
  async ingestedVersion(chain: string): Promise<string> {
    const r = (await this.store.one("trace.ingested_version", { chain }))!;
    return `${int(r, "n")}|${text(r, "at")}`;
  }

  /** Address ids of the chain whose whole history was ingested (they have a sync cursor). */
  async ingestedIds(chain: string): Promise<Int32Array> {
    return (await this.store.typedColumns("trace.ingested", { chain }))[0] as Int32Array;
  }

  /** Changes when labels (case wallets included) or the chain's clusters do. */
  async annotationVersion(chain: string): Promise<string> {
    const r = (await this.store.one("trace.annotation_version", { chain }))!;
    return `${int(r, "labels")}|${text(r, "imported")}|${int(r, "wallets")}|${int(r, "members")}|${int(r, "clusters")}`;
  }

  /** Interned addresses that may carry labels on these chains (labelled, or in a cluster with a cluster-defining label). */
  async labelCandidates(chains: string[]): Promise<{ id: number; address: string }[]> {
    return (await this.store.all("trace.labelled", { chains: listValue(chains) })).map((x) => ({
      id: int(x, "id"),
      address: text(x, "address"),
    }));
  }

  /** The cluster of every member of a service cluster, and of these address ids. */
  async clusterMembers(
    chain: string,
    ids: number[],
  ): Promise<{ addr: Int32Array; cluster: BigInt64Array; service: Int32Array }> {
    const [addr, cluster, service] = (await this.store.typedColumns("trace.clusters", {
      chain,
      ids: listValue(ids.length > 0 ? ids : [-1]), // an empty list has no type
    })) as [Int32Array, BigInt64Array, Int32Array];
    return { addr, cluster, service };
  }

  // --- names ---

  async addressIds(addresses: string[]): Promise<Map<string, number>> {
    const m = new Map<string, number>();
    if (addresses.length === 0) return m;
    for (const x of await this.store.all("trace.address_ids", { addresses: listValue(addresses) }))
      m.set(text(x, "address"), int(x, "id"));
    return m;
  }

  async addresses(ids: number[]): Promise<Map<number, string>> {
    return this.byId("trace.addresses", { ids: listValue(ids) }, "id", "address", ids.length);
  }

  async txids(ids: number[]): Promise<Map<number, string>> {
    return this.byId("trace.txids", { ids: listValue(ids) }, "id", "txid", ids.length);
  }

  async transferTxids(chain: string, tids: number[]): Promise<Map<number, string>> {
    return this.byId("trace.transfer_txids", { chain, tids: listValue(tids) }, "tid", "txid", tids.length);
  }

  /** Block height and time (Unix seconds) of these transactions; absent when not stored. */
  async blocksOf(
    chain: string,
    txids: string[],
  ): Promise<Map<string, { height: number | null; time: number | null }>> {
    const m = new Map<string, { height: number | null; time: number | null }>();
    if (txids.length === 0) return m;
    for (const r of await this.store.all("trace.blocks_of", { chain, txids: listValue(txids) }))
      m.set(text(r, "txid"), { height: intOrNull(r, "height"), time: intOrNull(r, "time") });
    return m;
  }

  /**
   * The stored blocks of a time window (Unix seconds, both ends included): the first block at or
   * after `since`, the last at or before `until`; null where no stored block qualifies.
   */
  async heightWindow(
    chain: string,
    since: number,
    until: number,
  ): Promise<{ first: number | null; last: number | null }> {
    const r = await this.store.one("trace.height_window", {
      chain,
      since: BigInt(since),
      until: BigInt(until),
    });
    return { first: r ? intOrNull(r, "first") : null, last: r ? intOrNull(r, "last") : null };
  }

  /** The previous txid of each input of these transactions, keyed `txId:vin`. */
  async prevTxids(chain: string, txIds: number[]): Promise<Map<string, string>> {
    return this.refs("trace.prev_txids", chain, txIds, "vin");
  }

  /** The spending txid of each spent output of these transactions, keyed `txId:vout`. */
  async spenderTxids(chain: string, txIds: number[]): Promise<Map<string, string>> {
    return this.refs("trace.spender_txids", chain, txIds, "vout");
  }

  /** Streams a query of INTEGER columns (named `keys`, in order) and a last BIGINT `value` column. */
  private async streamRows<
    K extends string,
    C extends { rows: number; value: BigInt64Array } & Record<K, Int32Array>,
  >(
    name: string,
    params: Parameters<Store["streamInts"]>[1],
    keys: readonly K[],
    fn: (c: C) => void,
    restart: () => void,
  ): Promise<void> {
    await this.store.streamInts(
      name,
      params,
      (cols, rows) => {
        const c: Record<string, unknown> = { rows, value: cols[keys.length] };
        keys.forEach((k, i) => {
          c[k] = cols[i];
        });
        fn(c as C);
      },
      restart,
    );
  }

  private async byId(
    name: "trace.addresses" | "trace.txids" | "trace.transfer_txids",
    params: Parameters<Store["all"]>[1],
    key: string,
    val: string,
    n: number,
  ): Promise<Map<number, string>> {
    const m = new Map<number, string>();
    if (n === 0) return m;
    for (const x of await this.store.all(name, params)) m.set(int(x, key), text(x, val));
    return m;
  }

  private async refs(
    name: "trace.prev_txids" | "trace.spender_txids",
    chain: string,
    txIds: number[],
    index: "vin" | "vout",
  ): Promise<Map<string, string>> {
    const m = new Map<string, string>();
    if (txIds.length === 0) return m;
    for (const x of await this.store.all(name, { chain, tx_ids: listValue([...new Set(txIds)]) }))
      m.set(`${int(x, "tx_id")}:${int(x, index)}`, text(x, "txid"));
    return m;
  }
}
