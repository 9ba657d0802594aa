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
import { sameAddressSpace } from "../chains.ts";
import type { AddressLabels, ClusterInfo } from "../core/trace.ts";
import { type GraphNames, SPENDER_NOT_LOADED, TraceGraph, type TxNameRequest } from "../core/trace-graph.ts";
import type { Store } from "../store/db.ts";
import { type IdRange, type StoredInputs, type StoredOutputs, TraceStore } from "../store/trace.ts";
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
  private readonly rows: TraceStore;
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
    store: Store,
    readonly chain: string,
    private readonly labels: LabelService,
  ) {
    this.rows = new TraceStore(store);
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
    const { rows, chain } = this;
    let w = await rows.accountWatermark(chain);
    if (w.unindexed > 0) {
      await rows.indexAccount(chain);
      w = await rows.accountWatermark(chain);
    }
    return w.upto;
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
    const r = { chain: this.chain, after, upto };
    if (upto - after >= this.storedOrderFrom) {
      try {
        await this.streamTransfers(r, true);
        return;
      } catch (e) {
        if (!(e instanceof OutOfOrder || (e as { cause?: unknown }).cause instanceof OutOfOrder)) throw e;
        this.graph.truncateTransfers(n0);
      }
    }
    await this.streamTransfers(r, false);
  }

  private async streamTransfers(r: IdRange, asStored: boolean): Promise<void> {
    const g = this.graph;
    const n0 = g.n;
    const assets = await this.rows.accountAssets(r);
    const assetIds = Int32Array.from(assets.map((a) => g.internAsset(a.asset, a.symbol, a.decimals)));
    g.reserveTransfers(r.upto - r.after);
    let from = new Int32Array(2048);
    let to = new Int32Array(2048);
    let asset = new Int32Array(2048);
    let big: number[] = [];
    await this.rows.streamTransfers(
      r,
      assets.map((a) => a.asset),
      asStored,
      (c) => {
        const rows = c.rows;
        if (from.length < rows) {
          from = new Int32Array(rows);
          to = new Int32Array(rows);
          asset = new Int32Array(rows);
        }
        for (let k = 0; k < rows; k++) {
          from[k] = g.addressOfExt(c.from[k]!);
          to[k] = c.to[k]! < 0 ? -1 : g.addressOfExt(c.to[k]!);
          asset[k] = assetIds[c.asset[k]!]!;
        }
        const at = g.n;
        // 2^63 - 1 marks a value of 64 bits or more (words read without making a bigint per row)
        const w = new Uint32Array(c.value.buffer, c.value.byteOffset, rows * 2);
        for (let k = 0; k < rows; k++)
          if (w[2 * k] === 0xffffffff && w[2 * k + 1] === 0x7fffffff) big.push(at + k);
        g.addTransferChunk({
          count: rows,
          from,
          to,
          asset,
          flags: c.flags,
          block: c.block,
          txIndex: c.txIndex,
          seq: c.seq,
          tag: c.tag,
          ext: c.tid,
          value: c.value,
        });
        if (asStored && !g.appendedInOrder) throw new OutOfOrder();
      },
      () => {
        // the store streams the rows again (a commit landed meanwhile): drop what this load added
        g.truncateTransfers(n0);
        big = [];
      },
    );
    if (big.length > 0) {
      const values = await this.rows.accountBigValues(r);
      for (const i of big) g.values.set(i, values.get(g.ext[i]!)!);
    }
  }

  // ------------------------------------------------------------------------------ UTXO transactions

  /** false when the store holds fewer transactions than were loaded (some were removed). */
  private async refreshUtxo(): Promise<boolean> {
    const { upto, count } = await this.rows.utxoWatermark(this.chain);
    if (upto > this.utxoUpTo) {
      await this.loadTxs(this.utxoUpTo, upto);
      this.utxoUpTo = upto;
    }
    return count >= this.utxoLoaded;
  }

  private async loadTxs(after: number, upto: number): Promise<void> {
    const g = this.graph;
    const range = { chain: this.chain, after, upto };
    const { ids: txIds, heights } = await this.rows.utxoTxs(range);
    const { cols: ins, values: inValues } = await collect(
      ["tx", "vin", "prev", "prevVout", "addr"] as const,
      (fn: (c: StoredInputs) => void, restart) => this.rows.streamUtxoInputs(range, fn, restart),
    );
    const { cols: outs, values: outValues } = await collect(
      ["tx", "vout", "addr", "spent", "spentVin"] as const,
      (fn: (c: StoredOutputs) => void, restart) => this.rows.streamUtxoOutputs(range, fn, restart),
    );
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
      for (const r of await this.rows.utxoInputLinks(range)) {
        const tx = g.txOf(r.txId);
        const at = tx < 0 ? -1 : g.inStart[tx]! + r.vin;
        if (tx >= 0 && at < g.inStart[tx + 1]!) g.setInputPrev(at, r.prevId);
      }
  }

  // ------------------------------------------------------------------------------ completeness, labels

  /** Addresses with a sync cursor: their whole history was ingested. */
  private async refreshComplete(): Promise<void> {
    const { rows, chain } = this;
    const key = `${await rows.ingestedVersion(chain)}|${this.graph.addressCount}`;
    if (key === this.ingestedKey) return;
    this.ingestedKey = key;
    const ids = await rows.ingestedIds(chain);
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
    const { rows, chain } = this;
    const g = this.graph;
    const key = `${await rows.annotationVersion(chain)}|${g.addressCount}`;
    if (this.annotated?.key === key) return this.annotated.value;
    const candidates = (await rows.labelCandidates(sameAddressSpace(chain))).filter(
      (r) => g.addrOfExt.get(r.id) >= 0,
    );
    const recs = await this.labels.forAddresses(
      chain,
      candidates.map((r) => r.address),
    );
    const labelsById = new Map<number, AddressLabels>();
    const labelledExt: number[] = [];
    for (const r of candidates) {
      const l = recs.get(r.address);
      if (!l) continue;
      labelledExt.push(r.id);
      labelsById.set(g.addrOfExt.get(r.id), {
        categories: [...new Set(l.map((x) => x.category))],
        labels: [...new Set(l.map((x) => x.label))],
      });
    }
    const { addr, cluster, service } = await rows.clusterMembers(chain, labelledExt);
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
    const { rows, chain } = this;
    return {
      addressIds: async (addresses) => {
        const m = await rows.addressIds([...addresses]);
        return addresses.map((a) => {
          const id = m.get(a);
          return id === undefined ? -1 : this.graph.addrOfExt.get(id);
        });
      },
      addresses: async (ids) => {
        const ext = ids.map((i) => this.graph.addrExt[i]!);
        const m = await rows.addresses(ext);
        return ext.map((e) => m.get(e)!);
      },
      txids: async (req: TxNameRequest) => {
        const g = this.graph;
        const utxoExt = req.utxo.map((tx) => g.txExt[tx]!);
        const tids = req.transfers.map((t) => g.ext[t]!);
        const utxo = await rows.txids(utxoExt);
        const transfers = await rows.transferTxids(chain, tids);
        const prevTx = req.prevOf.map((i) => g.txExt[g.inTx[i]!]!);
        const prev = await rows.prevTxids(chain, prevTx);
        const spTx = req.spenderOf.map((o) => g.txExt[g.outTx[o]!]!);
        const spender = await rows.spenderTxids(chain, spTx);
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

/**
 * Streams UTXO rows (integer columns and a last value column, value - 2^63) into growable columns
 * and exact values, starting over when the store streams them again.
 */
async function collect<
  K extends string,
  C extends { rows: number; value: BigInt64Array } & Record<K, Int32Array>,
>(
  keys: readonly K[],
  stream: (fn: (c: C) => void, restart: () => void) => Promise<void>,
): Promise<{ cols: Record<K, Col>; values: bigint[] }> {
  const fresh = () => Object.fromEntries(keys.map((k) => [k, new Col()])) as Record<K, Col>;
  let cols = fresh();
  let values: bigint[] = [];
  await stream(
    (c) => {
      for (const k of keys) {
        const src = c[k];
        const col = cols[k];
        for (let i = 0; i < c.rows; i++) col.push(src[i]!);
      }
      for (let i = 0; i < c.rows; i++) values.push(utxoValue(c.value[i]!));
    },
    () => {
      cols = fresh();
      values = [];
    },
  );
  return { cols, values };
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
