/**
 * The resident trace graphs: one per chain, loaded from the store the first time a trace needs it
 * and refreshed with what was written since (before every trace), kept for the life of the process
 * (`serve` keeps them between requests).
 *
 * Everything moves as integers: addresses are store ids (address_ids, interned at ingest for
 * Bitcoin and by the trace index for account chains), transactions tx_ids, account transfers a
 * transfer id `tid` given by the trace index the first time it sees a row; so "what was ingested
 * since" is the rows with a higher id (or none yet). Names (addresses, txids) are read from the
 * store only for what a result reports.
 */
import { listValue } from "@duckdb/node-api";
import { sameAddressSpace } from "../chains.ts";
import type { AddressLabels, ClusterInfo } from "../core/trace.ts";
import { type GraphNames, SPENDER_NOT_LOADED, TraceGraph, type TxNameRequest } from "../core/trace-graph.ts";
import type { Store } from "../store/db.ts";
import type { LabelService } from "./labels.ts";

const SIGN = 1n << 63n;
/** value - 2^63 as stored by the queries: back to the value (64 bits). */
const decode = (x: bigint) => BigInt.asUintN(64, x) ^ SIGN;
const MAX_I64 = (1n << 63n) - 1n;

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }
}

export interface Annotations {
  labelsById: Map<number, AddressLabels>;
  clustersById: Map<number, ClusterInfo>;
}

/** Growable Int32 column for streamed rows. */
class Col {
  a = new Int32Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
}

class OutOfOrder extends Error {}

export class ChainGraph {
  graph = new TraceGraph({ ownNames: false });
  /** Refreshes and traces of this chain run one at a time. */
  readonly lock = new Mutex();
  readonly names: GraphNames;
  private accountUpTo = 0;
  private utxoUpTo = 0;
  private utxoLoaded = 0;
  private ingestedKey = "";
  private annotated: { key: string; value: Annotations } | null = null;
  /** Loads of at least this many rows try them as stored before asking the store to sort (see loadTransfers). */
  storedOrderFrom = 100_000;
  /** Seconds spent in the last refresh, and rows it loaded (for benches and logs). */
  lastRefresh = { seconds: 0, transfers: 0, txs: 0 };

  constructor(
    private readonly store: Store,
    readonly chain: string,
    private readonly labels: LabelService,
  ) {
    this.names = this.storeNames();
  }

  /** Loads what the store has that the graph does not (the first call loads everything). */
  async refresh(): Promise<void> {
    const t0 = performance.now();
    const n0 = this.graph.n;
    const tx0 = this.graph.txCount;
    await this.refreshAccount();
    if (!(await this.refreshUtxo())) {
      // transactions were removed (a reorg correction): start again
      this.graph = new TraceGraph({ ownNames: false });
      this.accountUpTo = this.utxoUpTo = this.utxoLoaded = 0;
      this.ingestedKey = "";
      this.annotated = null;
      await this.refreshAccount();
      await this.refreshUtxo();
    }
    await this.refreshComplete();
    this.graph.finalize();
    this.lastRefresh = {
      seconds: (performance.now() - t0) / 1000,
      transfers: this.graph.n - n0,
      txs: this.graph.txCount - tx0,
    };
  }

  // ------------------------------------------------------------------------------ account transfers

  /**
   * Gives transfers written since the last call their ids (once per row; a first trace after a big
   * ingest pays it). Returns the highest transfer id.
   */
  async index(): Promise<number> {
    const { store, chain } = this;
    let w = (await store.one("trace.account_watermark", { chain }))!;
    if (Number(w.unindexed) > 0) {
      await store.tx(async () => {
        await store.run("trace.intern_account_addresses", { chain });
        await store.run("trace.index_account", { chain });
      });
      w = (await store.one("trace.account_watermark", { chain }))!;
    }
    return Number(w.upto);
  }

  private async refreshAccount(): Promise<void> {
    const upto = await this.index();
    if (upto <= this.accountUpTo) return;
    await this.loadTransfers(this.accountUpTo, upto);
    this.accountUpTo = upto;
  }

  /**
   * Loads transfers with ids in (after, upto]. A big load first reads them as stored: rows written in
   * chain order (a bulk load, a sync block by block) need no sort; at the first row out of order it
   * starts over with the store sorting them.
   */
  private async loadTransfers(after: number, upto: number): Promise<void> {
    const n0 = this.graph.n;
    if (upto - after >= this.storedOrderFrom) {
      try {
        await this.streamTransfers("trace.account_rows_stored", after, upto);
        return;
      } catch (e) {
        if (!(e instanceof OutOfOrder || (e as { cause?: unknown }).cause instanceof OutOfOrder)) throw e;
        this.graph.truncateTransfers(n0);
      }
    }
    await this.streamTransfers("trace.account_rows", after, upto);
  }

  private async streamTransfers(query: string, after: number, upto: number): Promise<void> {
    const { store, chain } = this;
    const g = this.graph;
    const checkOrder = query === "trace.account_rows_stored";
    const range = { chain, after: BigInt(after), upto: BigInt(upto) };
    const assets = await store.all("trace.account_assets", range);
    const assetIds = Int32Array.from(
      assets.map((a) =>
        g.internAsset(
          a.asset as string,
          (a.symbol as string | null) ?? null,
          a.decimals === null ? null : Number(a.decimals),
        ),
      ),
    );
    g.reserveTransfers(upto - after);
    let from = new Int32Array(2048);
    let to = new Int32Array(2048);
    let asset = new Int32Array(2048);
    const big: number[] = [];
    await store.streamInts(
      query,
      { ...range, assets: listValue(assets.map((a) => a.asset as string)) },
      (cols, rows) => {
        const [f, t, a, flags, block, txIndex, seq, tag, tid, value] = cols as [
          Int32Array,
          Int32Array,
          Int32Array,
          Int32Array,
          Int32Array,
          Int32Array,
          Int32Array,
          Int32Array,
          Int32Array,
          BigInt64Array,
        ];
        if (from.length < rows) {
          from = new Int32Array(rows);
          to = new Int32Array(rows);
          asset = new Int32Array(rows);
        }
        for (let k = 0; k < rows; k++) {
          from[k] = g.addressOfExt(f[k]!);
          to[k] = t[k]! < 0 ? -1 : g.addressOfExt(t[k]!);
          asset[k] = assetIds[a[k]!]!;
        }
        const at = g.n;
        // 2^63 - 1 marks a value of 64 bits or more (words read without making a bigint per row)
        const w = new Uint32Array(value.buffer, value.byteOffset, rows * 2);
        for (let k = 0; k < rows; k++)
          if (w[2 * k] === 0xffffffff && w[2 * k + 1] === 0x7fffffff) big.push(at + k);
        g.addTransferChunk({
          count: rows,
          from,
          to,
          asset,
          flags,
          block,
          txIndex,
          seq,
          tag,
          ext: tid,
          value,
        });
        if (checkOrder && !g.appendedInOrder) throw new OutOfOrder();
      },
    );
    if (big.length > 0) {
      const values = new Map<number, bigint>();
      for (const r of await store.all("trace.account_big_values", range))
        values.set(Number(r.tid), BigInt(r.value as bigint));
      for (const i of big) g.values.set(i, values.get(g.ext[i]!)!);
    }
  }

  // ------------------------------------------------------------------------------ UTXO transactions

  /** false when the store holds fewer transactions than were loaded (some were removed). */
  private async refreshUtxo(): Promise<boolean> {
    const { store, chain } = this;
    const w = (await store.one("trace.utxo_watermark", { chain }))!;
    const upto = Number(w.upto);
    if (upto > this.utxoUpTo) {
      await this.loadTxs(this.utxoUpTo, upto);
      this.utxoUpTo = upto;
    }
    return Number(w.n) >= this.utxoLoaded;
  }

  private async loadTxs(after: number, upto: number): Promise<void> {
    const { store, chain } = this;
    const g = this.graph;
    const range = { chain, after, upto };
    const [txIds, heights] = (await store.typedColumns("trace.utxo_txs", range)) as [Int32Array, Int32Array];
    const { cols: inCols, values: inValues } = await this.collect("trace.utxo_inputs", range);
    const [inTx, inVin, inPrev, inPrevVout, inAddr] = inCols as [Col, Col, Col, Col, Col];
    const ins = { tx: inTx, vin: inVin, prev: inPrev, prevVout: inPrevVout, addr: inAddr };
    const { cols: outCols, values: outValues } = await this.collect("trace.utxo_outputs", range);
    const [outTx, outVout, outAddr, outSpent, outSpentVin] = outCols as [Col, Col, Col, Col, Col];
    const outs = { tx: outTx, vout: outVout, addr: outAddr, spent: outSpent, spentVin: outSpentVin };
    // rows come by tx id: walk the three lists together
    let i = 0;
    let o = 0;
    for (let k = 0; k < txIds.length; k++) {
      const id = txIds[k]!;
      while (i < ins.tx.n && ins.tx.a[i]! < id) i++;
      while (o < outs.tx.n && outs.tx.a[o]! < id) o++;
      let i1 = i;
      let nIn = 0;
      for (; i1 < ins.tx.n && ins.tx.a[i1] === id; i1++) nIn = Math.max(nIn, ins.vin.a[i1]! + 1);
      let o1 = o;
      let nOut = 0;
      for (; o1 < outs.tx.n && outs.tx.a[o1] === id; o1++) nOut = Math.max(nOut, outs.vout.a[o1]! + 1);
      const { in0, out0 } = g.beginTx(id, heights[k]!, nIn, nOut);
      for (; i < i1; i++) {
        const at = in0 + ins.vin.a[i]!;
        const addr = ins.addr.a[i]!;
        g.inAddr[at] = addr < 0 ? -1 : g.addressOfExt(addr);
        g.inValue.set(at, inValues[i]!);
        g.inPrevKey[at] = ins.prev.a[i]!;
        g.inPrevVout[at] = ins.prevVout.a[i]!;
      }
      for (; o < o1; o++) {
        const at = out0 + outs.vout.a[o]!;
        const addr = outs.addr.a[o]!;
        g.outAddr[at] = addr < 0 ? -1 : g.addressOfExt(addr);
        g.outValue.set(at, outValues[o]!);
        const s = outs.spent.a[o]!;
        g.setOutputSpend(at, s === -3 ? SPENDER_NOT_LOADED : s, outs.spentVin.a[o]!);
      }
    }
    this.utxoLoaded += txIds.length;
    if (after > 0)
      for (const r of await store.all("trace.utxo_input_links", range)) {
        const tx = g.txOf(Number(r.tx_id));
        const at = tx < 0 ? -1 : g.inStart[tx]! + Number(r.vin);
        if (tx >= 0 && at < g.inStart[tx + 1]!) g.setInputPrev(at, Number(r.prev_id));
      }
  }

  /** Streams rows of INTEGER columns and a last value column (value - 2^63) into growable columns. */
  private async collect(name: string, params: Record<string, number | string>) {
    const cols: Col[] = [];
    const values: bigint[] = [];
    await this.store.streamInts(name, params, (cs, rows) => {
      const v = cs[cs.length - 1] as BigInt64Array;
      for (let c = 0; c < cs.length - 1; c++) {
        cols[c] ??= new Col();
        const src = cs[c] as Int32Array;
        for (let k = 0; k < rows; k++) cols[c]!.push(src[k]!);
      }
      for (let k = 0; k < rows; k++) values.push(utxoValue(v[k]!));
    });
    return { cols, values };
  }

  // ------------------------------------------------------------------------------ completeness, labels

  /** Addresses with a sync cursor: their whole history was ingested. */
  private async refreshComplete(): Promise<void> {
    const { store, chain } = this;
    const v = (await store.one("trace.ingested_version", { chain }))!;
    const key = `${v.n}|${v.at}|${this.graph.addressCount}`;
    if (key === this.ingestedKey) return;
    this.ingestedKey = key;
    const [ids] = (await store.typedColumns("trace.ingested", { chain })) as [Int32Array];
    const g = this.graph;
    const mine: number[] = [];
    for (const id of ids) {
      const a = g.addrOfExt.get(id);
      if (a >= 0) mine.push(a);
    }
    g.markComplete(mine);
  }

  /** Labels and clusters of the graph's addresses, by graph id (cached until labels or clusters change). */
  async annotations(): Promise<Annotations> {
    const { store, chain } = this;
    const g = this.graph;
    const v = (await store.one("trace.annotation_version", { chain }))!;
    const key = `${v.labels}|${v.imported}|${v.members}|${v.clusters}|${g.addressCount}`;
    if (this.annotated?.key === key) return this.annotated.value;
    const candidates = (
      await store.all("trace.labelled", { chains: listValue(sameAddressSpace(chain)) })
    ).filter((r) => g.addrOfExt.get(Number(r.id)) >= 0);
    const recs = await this.labels.forAddresses(
      chain,
      candidates.map((r) => r.address as string),
    );
    const labelsById = new Map<number, AddressLabels>();
    const labelledExt: number[] = [];
    for (const r of candidates) {
      const l = recs.get(r.address as string);
      if (!l) continue;
      labelledExt.push(Number(r.id));
      labelsById.set(g.addrOfExt.get(Number(r.id)), {
        categories: [...new Set(l.map((x) => x.category))],
        labels: [...new Set(l.map((x) => x.label))],
      });
    }
    const [addr, cluster, service] = (await store.typedColumns("trace.clusters", {
      chain,
      ids: listValue(labelledExt.length > 0 ? labelledExt : [-1]), // an empty list has no type
    })) as [Int32Array, BigInt64Array, Int32Array];
    const clustersById = new Map<number, ClusterInfo>();
    const infos = new Map<bigint, ClusterInfo>();
    for (let k = 0; k < addr.length; k++) {
      const a = g.addrOfExt.get(addr[k]!);
      if (a < 0) continue;
      let info = infos.get(cluster[k]!);
      if (!info) {
        info = { clusterId: String(cluster[k]!), isService: service[k] === 1 };
        infos.set(cluster[k]!, info);
      }
      clustersById.set(a, info);
    }
    const value = { labelsById, clustersById };
    this.annotated = { key, value };
    return value;
  }

  // ------------------------------------------------------------------------------ names

  private storeNames(): GraphNames {
    const { store, chain } = this;
    const byId = async (name: string, params: Record<string, unknown>, key: string, val: string) => {
      const m = new Map<number, string>();
      for (const r of await store.all(name, params as never)) m.set(Number(r[key]), r[val] as string);
      return m;
    };
    return {
      addressIds: async (addresses) => {
        if (addresses.length === 0) return [];
        const m = new Map<string, number>();
        for (const r of await store.all("trace.address_ids", { addresses: listValue([...addresses]) }))
          m.set(r.address as string, Number(r.id));
        return addresses.map((a) => {
          const id = m.get(a);
          return id === undefined ? -1 : this.graph.addrOfExt.get(id);
        });
      },
      addresses: async (ids) => {
        if (ids.length === 0) return [];
        const ext = ids.map((i) => this.graph.addrExt[i]!);
        const m = await byId("trace.addresses", { ids: listValue(ext) }, "id", "address");
        return ext.map((e) => m.get(e)!);
      },
      txids: async (req: TxNameRequest) => {
        const g = this.graph;
        const utxoExt = req.utxo.map((tx) => g.txExt[tx]!);
        const tids = req.transfers.map((t) => g.ext[t]!);
        const utxo =
          utxoExt.length > 0
            ? await byId("trace.txids", { ids: listValue(utxoExt) }, "id", "txid")
            : new Map();
        const transfers =
          tids.length > 0
            ? await byId("trace.transfer_txids", { chain, tids: listValue(tids) }, "tid", "txid")
            : new Map();
        const refs = async (name: string, txs: number[], index: string) => {
          const m = new Map<string, string>();
          if (txs.length === 0) return m;
          for (const r of await store.all(name, { chain, tx_ids: listValue([...new Set(txs)]) }))
            m.set(`${r.tx_id}:${r[index]}`, r.txid as string);
          return m;
        };
        const prevTx = req.prevOf.map((i) => g.txExt[g.inTx[i]!]!);
        const prev = await refs("trace.prev_txids", prevTx, "vin");
        const spTx = req.spenderOf.map((o) => g.txExt[g.outTx[o]!]!);
        const spender = await refs("trace.spender_txids", spTx, "vout");
        return {
          utxo: utxoExt.map((e) => utxo.get(e)!),
          transfers: tids.map((e) => transfers.get(e)!),
          prevOf: req.prevOf.map((i, k) => prev.get(`${prevTx[k]}:${i - g.inStart[g.inTx[i]!]!}`)!),
          spenderOf: req.spenderOf.map((o, k) => spender.get(`${spTx[k]}:${o - g.outStart[g.outTx[o]!]!}`)!),
        };
      },
    };
  }
}

function utxoValue(x: bigint): bigint {
  if (x === MAX_I64) throw new RangeError("UTXO value of 2^64 - 1 or more");
  return decode(x);
}

/** One resident graph per chain. */
export class TraceGraphs {
  private readonly byChain = new Map<string, ChainGraph>();
  constructor(
    private readonly store: Store,
    private readonly labels: LabelService,
  ) {}
  of(chain: string): ChainGraph {
    let g = this.byChain.get(chain);
    if (!g) {
      g = new ChainGraph(this.store, chain, this.labels);
      this.byChain.set(chain, g);
    }
    return g;
  }
}
