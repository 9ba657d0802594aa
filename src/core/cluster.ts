/**
 * Address clustering on integer ids, pure: the store streams rows in and writes the result out.
 *
 * Bitcoin: every input of a transaction merges with its lowest input (multi-input heuristic), over
 * the existing clusters the run touches; a cluster's id is its smallest member key, so any order of
 * merges or ingest gives the same ids. The evidence is canonical too: transactions merge in tx id
 * order, so each merge records the lowest tx id that joins the two sets, whatever order the rows
 * arrive in. EVM: the senders to one deposit address are one customer.
 */
import { UnionFind } from "./unionfind.ts";

/** Members of existing clusters, one row per member, grouped by cluster: (group number, address id, cluster id). */
export interface ExistingMembers {
  grp: Int32Array;
  addr: Int32Array;
  cid: BigInt64Array;
}

/** A merge by a heuristic other than multi-input: few, stored as full evidence rows. */
export interface OtherMerge {
  tx: number;
  a: number;
  b: number;
  heuristic: string;
  confidence: number;
}

/**
 * Union-find over address ids 1..maxAddr with each address's key and the multi-input merges it made
 * (the evidence). Of existing clusters only the members a run touches are loaded, so an address in a
 * set of 2+ is an address whose membership the run rewrites; the other members of a cluster whose id
 * changes follow it (movedClusters).
 */
export class AddressClustering {
  private readonly uf: UnionFind;
  private readonly keys: KeyTable;
  /** Multi-input merges as (tx, a, b) ids (merges < addresses: sized to that, pages touched as it fills). */
  private readonly inputMerges: MergeBuffer;
  /** Merges by other heuristics. */
  readonly other: OtherMerge[] = [];
  /** Input rows (tx id, address id) as they arrived, merged in canonical order by mergeInputs(). */
  private pending: { txs: Int32Array; addrs: Int32Array }[] = [];
  /** Existing cluster members loaded, with their cluster's id: clusters whose id changes are remapped whole. */
  private readonly loaded: ExistingMembers[] = [];
  /** One loaded member of each existing cluster, by cluster id. */
  private readonly firstLoaded = new Map<bigint, number>();

  constructor(
    private readonly maxAddr: number,
    private readonly maxTx: number,
  ) {
    this.uf = new UnionFind(maxAddr + 1);
    this.keys = new KeyTable(maxAddr + 1);
    this.inputMerges = new MergeBuffer(maxAddr + 1);
  }

  /** Multi-input merges as (tx, a, b) ids, in tx id order. */
  get merges(): MergeBuffer {
    this.mergeInputs();
    return this.inputMerges;
  }

  /**
   * Unions the loaded members of each existing cluster (all of them, or only those the run touches).
   * Each takes its cluster's id as key: that id is the smallest key of the whole cluster.
   */
  addExisting(m: ExistingMembers): void {
    const { grp, addr, cid } = m;
    this.loaded.push(m);
    this.keys.setAll(addr, cid);
    for (let i = 0; i < addr.length; i++) {
      if (i > 0 && grp[i] === grp[i - 1]) {
        this.uf.union(addr[i - 1]!, addr[i]!);
        continue;
      }
      // a cluster loaded in parts by two calls (inputs, then change merges) is still one set
      const first = this.firstLoaded.get(cid[i]!);
      if (first === undefined) this.firstLoaded.set(cid[i]!, addr[i]!);
      else this.uf.union(first, addr[i]!);
    }
  }

  /** One chunk of inputs (tx id, address id, address key), in any order; kept until mergeInputs(). */
  addInputs(txs: Int32Array, addrs: Int32Array, addrKeys: BigInt64Array, rows: number): void {
    this.keys.setAll(addrs, addrKeys, rows);
    this.pending.push({ txs: txs.slice(0, rows), addrs: addrs.slice(0, rows) });
  }

  /**
   * Merges the inputs added so far: transactions in id order, each input of a tx with the tx's lowest
   * address id, in address order, so the merges recorded (a union that joins two sets) are the same
   * for the same rows in any order or chunking. Rows are grouped by tx with a counting sort.
   */
  mergeInputs(): void {
    const chunks = this.pending;
    if (chunks.length === 0) return;
    this.pending = [];
    // off[t] = start of tx t's rows in `byTx`; after the scatter, its end
    const off = new Int32Array(this.maxTx + 2);
    let total = 0;
    for (const c of chunks) {
      for (let i = 0; i < c.txs.length; i++) off[c.txs[i]! + 1]!++;
      total += c.txs.length;
    }
    for (let t = 1; t < off.length; t++) off[t]! += off[t - 1]!;
    const byTx = new Int32Array(total);
    for (const c of chunks) for (let i = 0; i < c.txs.length; i++) byTx[off[c.txs[i]!]!++] = c.addrs[i]!;
    const uf = this.uf;
    const merges = this.inputMerges;
    let begin = 0;
    for (let t = 0; t <= this.maxTx; t++) {
      const end = off[t]!;
      if (end - begin >= 2) {
        sortRange(byTx, begin, end);
        const f = byTx[begin]!;
        for (let j = begin + 1; j < end; j++) {
          const a = byTx[j]!;
          if (uf.union(f, a)) merges.push(t, f, a);
        }
      }
      begin = end;
    }
  }

  setKey(id: number, key: bigint): void {
    this.keys.set(id, key);
  }

  /** Merges a and b by another heuristic (after the inputs); recorded (true) only when they were apart. */
  mergeOther(m: OtherMerge): boolean {
    this.mergeInputs();
    if (!this.uf.union(m.a, m.b)) return false;
    this.other.push(m);
    return true;
  }

  /** Every address of a rewritten cluster (2+ members) with its cluster id, by address id. */
  clusterIds(): [Int32Array, BigInt64Array] {
    this.mergeInputs();
    // a loaded member stands for its whole cluster: its key is the cluster's id, even if an input row
    // set its own key since
    for (const m of this.loaded) this.keys.setAll(m.addr, m.cid);
    return this.keys.clusterIds(this.uf, this.maxAddr);
  }

  /**
   * After clusterIds(): each existing cluster that now has another id (it merged with a smaller one, or
   * took a member with a smaller key), as parallel arrays old id → new id. Members the run did not
   * load move with it, so a run need not load, or rewrite, every member of a cluster it touches.
   */
  movedClusters(): { from: bigint[]; to: bigint[] } {
    const moved = new Map<bigint, bigint>();
    for (const m of this.loaded) {
      for (let i = 0; i < m.addr.length; i++) {
        const a = m.addr[i]!;
        if (!this.uf.grouped(a)) continue;
        const id = this.keys.get(this.uf.find(a));
        if (id !== m.cid[i]) moved.set(m.cid[i]!, id);
      }
    }
    return { from: [...moved.keys()], to: [...moved.values()] };
  }
}

/** Sorts a[begin..end) ascending in place (insertion sort: a transaction has few inputs). */
function sortRange(a: Int32Array, begin: number, end: number): void {
  if (end - begin > 64) {
    a.subarray(begin, end).sort();
    return;
  }
  for (let i = begin + 1; i < end; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= begin && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * The key of every address a run rewrites, by address id. Keys are non-negative BIGINTs, compared as
 * two 32-bit halves (high signed, low unsigned) so that no BigInt is made per member.
 */
class KeyTable {
  private readonly k: Int32Array;

  constructor(n: number) {
    this.k = new Int32Array(n * 2);
  }

  set(id: number, key: bigint): void {
    this.k[2 * id] = Number(BigInt.asIntN(32, key));
    this.k[2 * id + 1] = Number(key >> 32n);
  }

  get(id: number): bigint {
    return (BigInt(this.k[2 * id + 1]!) << 32n) | BigInt(this.k[2 * id]! >>> 0);
  }

  /** keys[i] is the key of ids[i], for the first `n` of them. */
  setAll(ids: Int32Array, keys: BigInt64Array, n = ids.length): void {
    const src = new Int32Array(keys.buffer, keys.byteOffset, n * 2);
    const k = this.k;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      k[2 * id] = src[2 * i]!;
      k[2 * id + 1] = src[2 * i + 1]!;
    }
  }

  /**
   * Every grouped address id with its cluster id, the smallest key of its set. Each root's slot is
   * lowered to its set's smallest key in place (a root's own key is no longer needed after that).
   */
  clusterIds(uf: UnionFind, maxId: number): [Int32Array, BigInt64Array] {
    const k = this.k;
    let n = 0;
    for (let i = 1; i <= maxId; i++) {
      if (!uf.grouped(i)) continue;
      n++;
      const r = uf.find(i);
      if (
        k[2 * i + 1]! < k[2 * r + 1]! ||
        (k[2 * i + 1] === k[2 * r + 1] && k[2 * i]! >>> 0 < k[2 * r]! >>> 0)
      ) {
        k[2 * r] = k[2 * i]!;
        k[2 * r + 1] = k[2 * i + 1]!;
      }
    }
    const ids = new Int32Array(n);
    const out = new BigInt64Array(n);
    const o = new Int32Array(out.buffer);
    let j = 0;
    for (let i = 1; i <= maxId; i++) {
      if (!uf.grouped(i)) continue;
      const r = uf.find(i);
      ids[j] = i;
      o[2 * j] = k[2 * r]!;
      o[2 * j + 1] = k[2 * r + 1]!;
      j++;
    }
    return [ids, out];
  }
}

/** Multi-input merges as (tx, a, b) ids in growable typed arrays; the first `length` are set. */
class MergeBuffer {
  length = 0;
  tx: Int32Array;
  a: Int32Array;
  b: Int32Array;

  constructor(capacity: number) {
    this.tx = new Int32Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
  }

  push(tx: number, a: number, b: number): void {
    if (this.length === this.tx.length) this.grow();
    const i = this.length++;
    this.tx[i] = tx;
    this.a[i] = a;
    this.b[i] = b;
  }

  private grow(): void {
    const g = (x: Int32Array) => {
      const y = new Int32Array(Math.max(1, x.length * 2));
      y.set(x);
      return y;
    };
    this.tx = g(this.tx);
    this.a = g(this.a);
    this.b = g(this.b);
  }
}

/** One receipt of a deposit address that its sweep to an exchange matched (rows in receipt order). */
export interface DepositMatch {
  deposit: string;
  exchange: string;
  forwardTxid: string;
  sender: string;
  receiptTxid: string;
  /** False for a receipt from an exchange or the zero address: counted, but no customer. */
  customer: boolean;
}

export interface DepositClustering {
  /** Each deposit address with the exchange address it forwards to and its matched sweeps. */
  deposits: Map<string, { exchange: string; forwards: Set<string> }>;
  /** Every customer sender, in order of first receipt per deposit address. */
  senders: string[];
  /** Senders in sets of 2+, each with its cluster's smallest address (which names the cluster). */
  members: { address: string; root: string }[];
  /** Unions that joined two sets: the receipt proving it, the deposit address and its sweep. */
  merges: { a: string; b: string; txid: string; deposit: string; forwardTxid: string }[];
}

/**
 * Senders to one deposit address are one customer: each sender joins the previous one of the same
 * deposit address (n-1 unions). A deposit address sending to another one is the exchange moving
 * funds, not a customer. The smallest address names a cluster, so ids do not depend on merge order.
 */
export function clusterDepositSenders(rows: DepositMatch[]): DepositClustering {
  const deposits = new Map<string, { exchange: string; forwards: Set<string> }>();
  for (const r of rows) {
    const d = deposits.get(r.deposit) ?? { exchange: r.exchange, forwards: new Set<string>() };
    d.forwards.add(r.forwardTxid);
    deposits.set(r.deposit, d);
  }
  // senders per deposit address, in order of their first matched receipt
  const senders = new Map<string, DepositMatch[]>();
  const seen = new Set<string>();
  for (const r of rows) {
    if (!r.customer || deposits.has(r.sender) || seen.has(`${r.deposit}:${r.sender}`)) continue;
    seen.add(`${r.deposit}:${r.sender}`);
    const list = senders.get(r.deposit) ?? [];
    list.push(r);
    senders.set(r.deposit, list);
  }
  const ids = new Map<string, number>();
  const addrs: string[] = [];
  const id = (a: string) => {
    let i = ids.get(a);
    if (i === undefined) {
      i = addrs.length;
      ids.set(a, i);
      addrs.push(a);
    }
    return i;
  };
  for (const list of senders.values()) for (const r of list) id(r.sender);
  const uf = new UnionFind(addrs.length);
  const merges: DepositClustering["merges"] = [];
  for (const [deposit, list] of senders) {
    for (let i = 1; i < list.length; i++) {
      const r = list[i]!;
      const prev = list[i - 1]!.sender;
      if (uf.union(id(r.sender), id(prev))) {
        merges.push({ a: r.sender, b: prev, txid: r.receiptTxid, deposit, forwardTxid: r.forwardTxid });
      }
    }
  }
  const root = new Map<number, string>();
  for (let i = 0; i < addrs.length; i++) {
    const r = uf.find(i);
    const cur = root.get(r);
    if (cur === undefined || addrs[i]! < cur) root.set(r, addrs[i]!);
  }
  // only sets of 2+ are clusters: a lone sender is its own cluster of one
  const members = addrs
    .map((address, i) => ({ address, i }))
    .filter((m) => uf.grouped(m.i))
    .map((m) => ({ address: m.address, root: root.get(uf.find(m.i))! }));
  return { deposits, senders: addrs, members, merges };
}
