import { listValue } from "@duckdb/node-api";
import { getChain, normalizeAddress } from "../chains.ts";
import { changeContextFromTxs, changeHeuristics } from "../core/change.ts";
import { detectCoinJoin, isCollaborative } from "../core/coinjoin.ts";
import { UnionFind } from "../core/unionfind.ts";
import { BadInputError } from "../errors.ts";
import type { Store } from "../store/db.ts";
import { loadUtxoTxs } from "../store/utxo.ts";
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

interface Evidence {
  tx: number;
  a: number;
  b: number;
  heuristic: string;
  confidence: number;
}
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
    return s.tx(async () => {
      if (opts.full) {
        for (const t of ["members", "evidence", "clusters", "txs", "change"])
          await s.run(`cluster.reset_${t}`, { chain: c });
      }
      for (const t of ["tx", "addr", "root", "ev"]) await s.run(`cluster.clear_work_${t}`);
      await step("cluster.fill_work_tx", () =>
        s.run("cluster.fill_work_tx", { chain: c, all: Boolean(opts.full) }),
      );

      // CoinJoins never merge: detect them among the only shapes that can be one.
      const coinjoins: Record<string, number> = {};
      const candidates = (await s.all("cluster.coinjoin_candidates", { chain: c })).map(
        (r) => r.txid as string,
      );
      for (let i = 0; i < candidates.length; i += 500) {
        for (const tx of await loadUtxoTxs(s, c, candidates.slice(i, i + 500))) {
          const cj = detectCoinJoin(tx);
          if (!cj) continue;
          coinjoins[cj.kind] = (coinjoins[cj.kind] ?? 0) + 1;
          // a Whirlpool tx0 has one owner: detected and reported, but its inputs still merge
          if (!isCollaborative(cj.kind)) continue;
          await step("cluster.mark_coinjoin", () =>
            s.run("cluster.mark_coinjoin", { txid: tx.txid, kind: cj.kind }),
          );
        }
      }
      const changeWanted = opts.reportChange !== false || heuristics.includes("change");
      await step("cluster.fill_work_addr", () =>
        s.run("cluster.fill_work_addr", { chain: c, with_outputs: changeWanted }),
      );
      const pairs = await step("cluster.input_pairs", () => s.columns("cluster.input_pairs", { chain: c }));
      const existing = await s.columns("cluster.existing_pairs", { chain: c });
      const nAddr = Number((await s.one("cluster.work_addr_count"))?.n ?? 0);
      const t1 = performance.now();

      const uf = new UnionFind(nAddr + 1);
      // existing clusters first: their members are already one owner
      const exAddr = existing.addr as number[];
      const exCluster = existing.cluster as bigint[];
      for (let i = 1; i < exAddr.length; i++) {
        if (exCluster[i] === exCluster[i - 1]) uf.union(exAddr[i - 1]!, exAddr[i]!);
      }
      const txs = pairs.tx as number[];
      const addrs = pairs.addr as number[];
      const ev: Evidence[] = [];
      for (let i = 1; i < txs.length; i++) {
        if (txs[i] !== txs[i - 1]) continue;
        // chain each input to the previous one of the same tx: n-1 unions per tx
        if (uf.union(addrs[i - 1]!, addrs[i]!))
          ev.push({ tx: txs[i]!, a: addrs[i - 1]!, b: addrs[i]!, heuristic: "multi-input", confidence: 100 });
      }
      let changeGuesses = 0;
      if (changeWanted) {
        changeGuesses = await this.changeStep(c, uf, ev, heuristics.includes("change"));
      }
      const t2 = performance.now();

      // smallest rank (= smallest address) of each set, and only sets of 2+ are written back
      const minRank = new Int32Array(nAddr + 1);
      for (let i = nAddr; i >= 1; i--) minRank[uf.find(i)] = i;
      const tA = performance.now();
      const rootApp = await s.appender("cluster_work_root");
      for (let i = 1; i <= nAddr; i++) {
        const r = uf.find(i);
        if (uf.size[r]! < 2) continue;
        rootApp.appendInteger(i);
        rootApp.appendInteger(minRank[r]!);
        rootApp.endRow();
      }
      rootApp.closeSync();
      const evApp = await s.appender("cluster_work_ev");
      for (const e of ev) {
        evApp.appendInteger(e.tx);
        evApp.appendInteger(e.a);
        evApp.appendInteger(e.b);
        evApp.appendVarchar(e.heuristic);
        evApp.appendInteger(e.confidence);
        evApp.endRow();
      }
      evApp.closeSync();
      steps.appenders = +((performance.now() - tA) / 1000).toFixed(3);
      await step("cluster.delete_members_in_space", () =>
        s.run("cluster.delete_members_in_space", { chain: c }),
      );
      await step("cluster.insert_members", () => s.run("cluster.insert_members", { chain: c }));
      await step("cluster.reassign_evidence", () => s.run("cluster.reassign_evidence", { chain: c }));
      await step("cluster.insert_evidence", () => s.run("cluster.insert_evidence", { chain: c }));
      await step("cluster.drop_stale_clusters", () => s.run("cluster.drop_stale_clusters", { chain: c }));
      await step("cluster.refresh_clusters", () =>
        s.run("cluster.refresh_clusters", {
          chain: c,
          service_threshold: opts.serviceThreshold ?? DEFAULT_SERVICE_THRESHOLD,
        }),
      );
      await step("cluster.mark_processed", () => s.run("cluster.mark_processed", { chain: c }));
      const stats = (await s.one("cluster.stats", { chain: c }))!;
      const nTx = Number((await s.one("cluster.work_tx_count"))?.n ?? 0);
      for (const t of ["tx", "addr", "root", "ev"]) await s.run(`cluster.clear_work_${t}`);
      const t3 = performance.now();
      return {
        chain: c,
        transactions: nTx,
        coinjoins,
        merges: ev.length,
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
  private async changeStep(chain: string, uf: UnionFind, ev: Evidence[], merge: boolean): Promise<number> {
    const s = this.store;
    const work = await s.all("cluster.work_txids");
    const rankOfTx = new Map(work.map((r) => [r.txid as string, Number(r.rank)]));
    let count = 0;
    for (let i = 0; i < work.length; i += 500) {
      const txs = await loadUtxoTxs(
        s,
        chain,
        work.slice(i, i + 500).map((r) => r.txid as string),
      );
      const addrs = [
        ...new Set(
          txs.flatMap((t) =>
            [...t.inputs, ...t.outputs].map((x) => x.address).filter((a): a is string => a !== null),
          ),
        ),
      ];
      const ctxIds = (await s.all("utxo.txids_touching", { chain, addresses: listValue(addrs) })).map(
        (r) => r.txid as string,
      );
      const ctx = changeContextFromTxs(await loadUtxoTxs(s, chain, ctxIds));
      const ranks = new Map(
        (await s.all("cluster.addr_ranks", { addresses: listValue(addrs) })).map((r) => [
          r.address as string,
          Number(r.rank),
        ]),
      );
      for (const tx of txs) {
        const guesses = changeHeuristics(tx, ctx);
        for (const g of guesses) {
          await s.run("cluster.insert_change", {
            chain,
            txid: tx.txid,
            vout: g.vout,
            address: g.address,
            heuristic: g.heuristic,
            confidence: g.confidence,
            reason: g.reason,
          });
        }
        count += guesses.length;
        if (!merge) continue;
        const best = guesses[0];
        // merge only an unambiguous guess: one output at the top confidence
        if (!best || best.confidence < CHANGE_MERGE_CONFIDENCE) continue;
        if (guesses.some((g) => g.vout !== best.vout && g.confidence === best.confidence)) continue;
        const input = tx.inputs.find((x) => x.address !== null)?.address;
        const a = input ? ranks.get(input) : undefined;
        const b = ranks.get(best.address);
        if (a === undefined || b === undefined) continue;
        if (uf.union(a, b))
          ev.push({
            tx: rankOfTx.get(tx.txid)!,
            a,
            b,
            heuristic: `change:${best.heuristic}`,
            confidence: best.confidence,
          });
      }
    }
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
