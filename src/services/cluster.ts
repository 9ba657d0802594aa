import { listValue } from "@duckdb/node-api";
import { getChain, normalizeAddress } from "../chains.ts";
import { type ChangeGuess, changeHeuristics } from "../core/change.ts";
import { detectCoinJoin, isCollaborative } from "../core/coinjoin.ts";
import { UnionFind } from "../core/unionfind.ts";
import { BadInputError } from "../errors.ts";
import type { IntColumn, Store } from "../store/db.ts";
import { changeContextFor, loadUtxoTxs } from "../store/utxo.ts";
import { DepositClusterer } from "./deposit.ts";
import type { LabelService } from "./labels.ts";
import { type PublicLabel, publicLabel } from "./screen.ts";

export const HEURISTICS = ["multi-input", "change"] as const;
export type Heuristic = (typeof HEURISTICS)[number];

export interface ClusterOptions {
  heuristics?: Heuristic[];
  /** Recompute from scratch instead of adding only transactions not clustered yet. */
  full?: boolean;
  /** Clusters of at least this many addresses are flagged as likely services. */
  serviceThreshold?: number;
  /** Report change guesses (needs every new transaction in memory; the bench turns it off). */
  reportChange?: boolean;
  progress?: (done: number, total: number, what: string) => void;
}

export interface ClusterRunResult {
  chain: string;
  transactions: number;
  coinjoins: Record<string, number>;
  merges: number;
  changeGuesses: number;
  clusters: number;
  largest: number;
  seconds: { load: number; unionFind: number; write: number };
  /** EVM: the deposit addresses found (their senders are merged). */
  depositAddresses?: { address: string; exchange: string; forwards: number }[];
  /** Seconds per SQL step, for the bench and for finding slow steps. */
  steps: Record<string, number>;
}

export interface ClusterInfo {
  id: string;
  chain: string;
  size: number;
  isService: boolean;
  members: string[];
  labels: (PublicLabel & { address: string })[];
  evidence: { txid: string; heuristic: string; addresses: [string, string]; confidence: number }[];
}

const DEFAULT_SERVICE_THRESHOLD = 1000;

/** Transactions whose change is guessed together: the context queries scan the inputs and outputs once per batch. */
const CHANGE_BATCH = 5000;

/** Change guesses merge only at or above this confidence (and only with --heuristics change). */
export const CHANGE_MERGE_CONFIDENCE = 70;

/** Clustering over stored transactions: union-find in typed arrays, evidence for every merge. */
export class ClusterService {
  constructor(
    private readonly store: Store,
    private readonly labels: LabelService,
  ) {}

  async cluster(chainName: string, opts: ClusterOptions = {}): Promise<ClusterRunResult> {
    const chain = getChain(chainName);
    const heuristics = opts.heuristics ?? ["multi-input"];
    for (const h of heuristics) {
      if (!HEURISTICS.includes(h))
        throw new BadInputError(`unknown heuristic "${h}" (known: ${HEURISTICS.join(", ")})`);
    }
    if (chain.family === "evm") {
      const t = performance.now();
      const r = await new DepositClusterer(this.store, this.labels).cluster(chain.name, {
        serviceThreshold: opts.serviceThreshold,
      });
      const stats = (await this.store.one("cluster.stats", { chain: chain.name }))!;
      return {
        chain: chain.name,
        transactions: 0,
        coinjoins: {},
        merges: r.merges,
        changeGuesses: 0,
        clusters: Number(stats.n),
        largest: Number(stats.largest),
        depositAddresses: r.depositAddresses,
        steps: {},
        seconds: { load: 0, unionFind: 0, write: +((performance.now() - t) / 1000).toFixed(3) },
      };
    }
    if (chain.family !== "bitcoin") throw new BadInputError(`no clustering for ${chain.name}`);
    const s = this.store;
    const c = chain.name;
    const t0 = performance.now();
    const steps: Record<string, number> = {};
    const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      const r = await f();
      steps[name] = +((steps[name] ?? 0) + (performance.now() - t) / 1000).toFixed(3);
      return r;
    };
    const clearWork = async () => {
      for (const t of ["tx", "member", "edge"]) await s.run(`cluster.clear_work_${t}`);
    };
    return s.tx(async () => {
      if (opts.full) {
        for (const t of ["members", "evidence", "input_merges", "clusters", "txs", "change"])
          await s.run(`cluster.reset_${t}`, { chain: c });
      }
      await clearWork();
      await step("cluster.fill_work_tx", () =>
        s.run("cluster.fill_work_tx", { chain: c, all: Boolean(opts.full) }),
      );

      // CoinJoins never merge: detect them among the only shapes that can be one.
      const coinjoins: Record<string, number> = {};
      const candidates = await step("cluster.coinjoin_candidates", () =>
        s.all("cluster.coinjoin_candidates", { chain: c }),
      );
      const idOfTxid = new Map(candidates.map((r) => [r.txid as string, Number(r.tx_id)]));
      for (let i = 0; i < candidates.length; i += 500) {
        const ids = candidates.slice(i, i + 500).map((r) => r.txid as string);
        for (const tx of await loadUtxoTxs(s, c, ids)) {
          const cj = detectCoinJoin(tx);
          if (!cj) continue;
          coinjoins[cj.kind] = (coinjoins[cj.kind] ?? 0) + 1;
          // a Whirlpool tx0 has one owner: detected and reported, but its inputs still merge
          if (!isCollaborative(cj.kind)) continue;
          await s.run("cluster.mark_coinjoin", { tx_id: idOfTxid.get(tx.txid)!, kind: cj.kind });
        }
      }
      const max = (await s.one("cluster.max_ids"))!;
      const maxAddr = Number(max.addr);
      const uf = new UnionFind(maxAddr + 1);
      // Only clusters this run touches are loaded, so an address in a set of 2+ in the union-find is exactly
      // an address whose cluster this run rewrites.
      const keys = new KeyTable(maxAddr + 1);
      // existing clusters first: their members are already one owner
      // (a full run has just forgotten them)
      if (!opts.full) {
        const ex = await step("cluster.existing_pairs", () =>
          s.typedColumns("cluster.existing_pairs", { chain: c }),
        );
        addExisting(uf, keys, ex);
      }
      const t1 = performance.now();

      // multi-input merges, the bulk of the evidence, as (tx, a, b) ids
      // (merges < addresses: sized to that, its pages are touched only as it fills)
      const merges = new MergeBuffer(maxAddr + 1);
      // each input merges with the tx's first input seen: n-1 unions per tx, in any row order
      const first = new Int32Array(Number(max.tx) + 1);
      // inputs stream in chunks: DuckDB reads the next while the unions of this one run
      await step("cluster.input_pairs+union", () =>
        s.streamInts("cluster.input_pairs", {}, (cols, rows) => {
          const [txs, addrs, addrKeys] = cols as [Int32Array, Int32Array, BigInt64Array];
          keys.setAll(addrs, addrKeys);
          for (let i = 0; i < rows; i++) {
            const t = txs[i]!;
            const a = addrs[i]!;
            const f = first[t]!;
            if (f === 0) first[t] = a;
            else if (uf.union(f, a)) merges.push(t, f, a);
          }
        }),
      );
      const other: OtherMerge[] = [];
      let changeGuesses = 0;
      const changeWanted = opts.reportChange !== false || heuristics.includes("change");
      if (changeWanted) {
        changeGuesses = await this.changeStep(
          c,
          uf,
          keys,
          other,
          heuristics.includes("change"),
          opts.progress,
        );
      }
      const t2 = performance.now();

      // DuckDB marks the work set processed on its threads while JS finds the cluster ids
      const processed = step("cluster.mark_processed", () => s.run("cluster.mark_processed", { chain: c }));
      // every address of a rewritten cluster (2+ members), with its cluster id
      const [memberIds, clusterIds] = keys.clusterIds(uf, maxAddr);
      const n = memberIds.length;
      await processed;
      // a full run starts from nothing: no old members to replace
      if (!opts.full) {
        await step("append_work_members", () =>
          s.appendInts("cluster_work_member", [memberIds, clusterIds], n),
        );
        await step("cluster.delete_members_in_space", () =>
          s.run("cluster.delete_members_in_space", { chain: c }),
        );
      }
      await step("append_members", () => s.appendInts("cluster_member_ids", [c, memberIds, clusterIds], n));
      await step("append_input_merges", () =>
        s.appendInts("cluster_input_merges", [merges.tx, merges.a, merges.b], merges.length),
      );
      for (let i = 0; i < other.length; i += 10_000) {
        const part = other.slice(i, i + 10_000);
        await s.run("cluster.insert_evidence", {
          chain: c,
          tx_ids: listValue(part.map((m) => m.tx)),
          heuristics: listValue(part.map((m) => m.heuristic)),
          a_ids: listValue(part.map((m) => m.a)),
          b_ids: listValue(part.map((m) => m.b)),
          confidences: listValue(part.map((m) => m.confidence)),
        });
      }
      if (!opts.full)
        await step("cluster.drop_stale_clusters", () => s.run("cluster.drop_stale_clusters", { chain: c }));
      await step("cluster.refresh_clusters", () =>
        s.run("cluster.refresh_clusters", {
          chain: c,
          service_threshold: opts.serviceThreshold ?? DEFAULT_SERVICE_THRESHOLD,
        }),
      );
      const stats = (await s.one("cluster.stats", { chain: c }))!;
      const nTx = Number((await s.one("cluster.work_tx_count"))?.n ?? 0);
      await step("clear_work", clearWork);
      const t3 = performance.now();
      return {
        chain: c,
        transactions: nTx,
        coinjoins,
        merges: merges.length + other.length,
        steps,
        changeGuesses,
        clusters: Number(stats.n),
        largest: Number(stats.largest),
        seconds: {
          load: +((t1 - t0) / 1000).toFixed(3),
          unionFind: +((t2 - t1) / 1000).toFixed(3),
          write: +((t3 - t2) / 1000).toFixed(3),
        },
      };
    });
  }

  /** Change guesses for every new tx (always reported); merged into the input cluster only when asked. */
  private async changeStep(
    chain: string,
    uf: UnionFind,
    keys: KeyTable,
    out: OtherMerge[],
    merge: boolean,
    progress?: ClusterOptions["progress"],
  ): Promise<number> {
    const s = this.store;
    const work = await s.all("cluster.work_txids");
    const idOfTx = new Map(work.map((r) => [r.txid as string, Number(r.tx_id)]));
    let count = 0;
    for (let i = 0; i < work.length; i += CHANGE_BATCH) {
      progress?.(i, work.length, "change guesses");
      const txs = await loadUtxoTxs(
        s,
        chain,
        work.slice(i, i + CHANGE_BATCH).map((r) => r.txid as string),
      );
      const addrs = [
        ...new Set(
          txs.flatMap((t) =>
            [...t.inputs, ...t.outputs].map((x) => x.address).filter((a): a is string => a !== null),
          ),
        ),
      ];
      const ctx = await changeContextFor(s, chain, addrs);
      const idRows = merge ? await s.all("ids.address_ids", { addresses: listValue(addrs) }) : [];
      const ids = new Map(idRows.map((r) => [r.address as string, Number(r.id)]));
      if (merge) {
        for (const r of idRows) keys.set(Number(r.id), r.key as bigint);
        // existing clusters of the outputs too, before anything merges into them
        const ex = await s.typedColumns("cluster.existing_of_ids", {
          chain,
          ids: listValue([...ids.values()]),
        });
        addExisting(uf, keys, ex);
      }
      const rows: (ChangeGuess & { txid: string })[] = [];
      for (const tx of txs) {
        const guesses = changeHeuristics(tx, ctx);
        for (const g of guesses) rows.push({ ...g, txid: tx.txid });
        count += guesses.length;
        if (!merge) continue;
        const best = guesses[0];
        // merge only an unambiguous guess: one output at the top confidence
        if (!best || best.confidence < CHANGE_MERGE_CONFIDENCE) continue;
        if (guesses.some((g) => g.vout !== best.vout && g.confidence === best.confidence)) continue;
        const input = tx.inputs.find((x) => x.address !== null)?.address;
        const a = input ? ids.get(input) : undefined;
        const b = ids.get(best.address);
        if (a === undefined || b === undefined) continue;
        if (uf.union(a, b)) {
          out.push({
            tx: idOfTx.get(tx.txid)!,
            a,
            b,
            heuristic: `change:${best.heuristic}`,
            confidence: best.confidence,
          });
        }
      }
      if (rows.length > 0) {
        await s.run("cluster.insert_change", {
          chain,
          txids: listValue(rows.map((g) => g.txid)),
          vouts: listValue(rows.map((g) => g.vout)),
          addresses: listValue(rows.map((g) => g.address)),
          heuristics: listValue(rows.map((g) => g.heuristic)),
          confidences: listValue(rows.map((g) => g.confidence)),
          reasons: listValue(rows.map((g) => g.reason)),
        });
      }
    }
    progress?.(work.length, work.length, "change guesses");
    return count;
  }

  async show(chainName: string, rawAddress: string, limit = 1000): Promise<ClusterInfo> {
    const chain = getChain(chainName);
    const address = normalizeAddress(chain.name, rawAddress);
    const c = await this.store.one("cluster.by_address", { chain: chain.name, address });
    if (!c) {
      const labels = (await this.labels.forAddresses(chain.name, [address])).get(address) ?? [];
      return {
        id: singletonId(chain.name, address),
        chain: chain.name,
        size: 1,
        isService: false,
        members: [address],
        labels: labels.map((l) => ({ ...publicLabel(l), address })),
        evidence: [],
      };
    }
    const id = c.cluster_id as bigint;
    const members = (
      await this.store.all("cluster.members", { chain: chain.name, cluster_id: id, limit: BigInt(limit) })
    ).map((r) => r.address as string);
    const byAddr = await this.labels.forAddresses(chain.name, members);
    const labels = [...byAddr.entries()].flatMap(([a, ls]) =>
      ls.map((l) => ({ ...publicLabel(l), address: a })),
    );
    const evidence = (
      await this.store.all("cluster.evidence", { chain: chain.name, cluster_id: id, limit: BigInt(limit) })
    ).map((r) => ({
      txid: r.txid as string,
      heuristic: r.heuristic as string,
      addresses: [r.address_a as string, r.address_b as string] as [string, string],
      confidence: Number(r.confidence),
    }));
    return {
      id: id.toString(),
      chain: chain.name,
      size: Number(c.size),
      isService: Boolean(c.is_service),
      members,
      labels,
      evidence,
    };
  }

  /** Membership as a map address → cluster id (for tests and exports). */
  async partition(chain: string): Promise<Map<string, string>> {
    const cols = await this.store.columns("cluster.partition", { chain });
    const out = new Map<string, string>();
    const ids = cols.cluster_id as bigint[];
    (cols.address as string[]).forEach((a, i) => {
      out.set(a, ids[i]!.toString());
    });
    return out;
  }
}

/** An address in no multi-address cluster is its own cluster of one. */
function singletonId(chain: string, address: string): string {
  return `single:${chain}:${address}`;
}

/** Unions every existing cluster's members (rows grouped by cluster) and marks them rewritten. */
/**
 * Unions every existing cluster's members (rows grouped by cluster). Each member
 * takes its cluster's id as key: that id is the smallest key among them, so the smallest key is kept.
 */
function addExisting(uf: UnionFind, keys: KeyTable, cols: IntColumn[]): void {
  const [grp, addr, cid] = cols as [Int32Array, Int32Array, BigInt64Array];
  keys.setAll(addr, cid);
  for (let i = 0; i < addr.length; i++) {
    if (i > 0 && grp[i] === grp[i - 1]) uf.union(addr[i - 1]!, addr[i]!);
  }
}

/**
 * The key of every address a run rewrites, by address id. A cluster's id is its smallest member key, so
 * any order of merges or ingest gives the same id. Keys are non-negative BIGINTs, compared as two 32-bit
 * halves (high signed, low unsigned) so that no BigInt is made per member.
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

  /** keys[i] is the key of ids[i]. */
  setAll(ids: Int32Array, keys: BigInt64Array): void {
    const src = new Int32Array(keys.buffer, keys.byteOffset, keys.length * 2);
    const k = this.k;
    for (let i = 0; i < ids.length; i++) {
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

/** A merge by a heuristic other than multi-input: few, stored as full evidence rows. */
interface OtherMerge {
  tx: number;
  a: number;
  b: number;
  heuristic: string;
  confidence: number;
}

/** Multi-input merges as (tx, a, b) ids in growable typed arrays. */
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
      const y = new Int32Array(x.length * 2);
      y.set(x);
      return y;
    };
    this.tx = g(this.tx);
    this.a = g(this.a);
    this.b = g(this.b);
  }
}
