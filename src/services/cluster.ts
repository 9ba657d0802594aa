import { getChain, normalizeAddress } from "../chains.ts";
import { changeHeuristics } from "../core/change.ts";
import { AddressClustering } from "../core/cluster.ts";
import { detectCoinJoin, isCollaborative } from "../core/coinjoin.ts";
import { BadInputError, quote } from "../errors.ts";
import { type ChangeGuessRow, ClusterStore } from "../store/clusters.ts";
import type { Store } from "../store/db.ts";
import { IdStore } from "../store/ids.ts";
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
  /** EVM and Tron: the deposit addresses found (their senders are merged). */
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
  private readonly db: ClusterStore;
  private readonly ids: IdStore;

  constructor(
    private readonly store: Store,
    private readonly labels: LabelService,
  ) {
    this.db = new ClusterStore(store);
    this.ids = new IdStore(store);
  }

  async cluster(chainName: string, opts: ClusterOptions = {}): Promise<ClusterRunResult> {
    const chain = getChain(chainName);
    const heuristics = opts.heuristics ?? ["multi-input"];
    for (const h of heuristics) {
      if (!HEURISTICS.includes(h))
        throw new BadInputError(`unknown heuristic ${quote(h)} (known: ${HEURISTICS.join(", ")})`);
    }
    if (chain.family === "evm" || chain.family === "tron") {
      const t = performance.now();
      const r = await new DepositClusterer(this.store, this.labels).cluster(chain.name, {
        serviceThreshold: opts.serviceThreshold,
      });
      const stats = await this.db.stats(chain.name);
      return {
        chain: chain.name,
        transactions: 0,
        coinjoins: {},
        merges: r.merges,
        changeGuesses: 0,
        clusters: stats.clusters,
        largest: stats.largest,
        depositAddresses: r.depositAddresses,
        steps: {},
        seconds: { load: 0, unionFind: 0, write: +((performance.now() - t) / 1000).toFixed(3) },
      };
    }
    if (chain.family !== "bitcoin") throw new BadInputError(`no clustering for ${chain.name}`);
    const db = this.db;
    const c = chain.name;
    const t0 = performance.now();
    const steps: Record<string, number> = {};
    const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      const r = await f();
      steps[name] = +((steps[name] ?? 0) + (performance.now() - t) / 1000).toFixed(3);
      return r;
    };
    return this.store.tx(async () => {
      if (opts.full) await db.forgetAll(c);
      await db.clearWork();
      await step("cluster.fill_work_tx", () => db.fillWork(c, Boolean(opts.full)));

      // CoinJoins never merge: detect them among the only shapes that can be one.
      const coinjoins: Record<string, number> = {};
      const candidates = await step("cluster.coinjoin_candidates", () => db.coinjoinCandidates(c));
      const idOfTxid = new Map(candidates.map((r) => [r.txid, r.txId]));
      for (let i = 0; i < candidates.length; i += 500) {
        const ids = candidates.slice(i, i + 500).map((r) => r.txid);
        for (const tx of await loadUtxoTxs(this.store, c, ids)) {
          const cj = detectCoinJoin(tx);
          if (!cj) continue;
          coinjoins[cj.kind] = (coinjoins[cj.kind] ?? 0) + 1;
          // a Whirlpool tx0 has one owner: detected and reported, but its inputs still merge
          if (!isCollaborative(cj.kind)) continue;
          await db.markCoinjoin(idOfTxid.get(tx.txid)!, cj.kind);
        }
      }
      const max = await db.maxIds();
      const run = new AddressClustering(max.addr, max.tx);
      // existing clusters first: their members are already one owner
      // (a full run has just forgotten them)
      if (!opts.full) run.addExisting(await step("cluster.existing_pairs", () => db.existingOfWork(c)));
      const t1 = performance.now();

      // inputs stream in chunks, in whatever order DuckDB's threads give them; they merge in tx id
      // order, so the same store gives the same evidence rows every run
      await step("cluster.input_pairs", () =>
        db.streamWorkInputs((txs, addrs, keys, rows) => run.addInputs(txs, addrs, keys, rows)),
      );
      await step("union", async () => run.mergeInputs());
      let changeGuesses = 0;
      const changeWanted = opts.reportChange !== false || heuristics.includes("change");
      if (changeWanted) {
        changeGuesses = await this.changeStep(c, run, heuristics.includes("change"), opts.progress);
      }
      const t2 = performance.now();

      // DuckDB marks the work set processed on its threads while JS finds the cluster ids
      const processed = step("cluster.mark_processed", () => db.markProcessed(c));
      // every address of a rewritten cluster (2+ members), with its cluster id
      const [memberIds, clusterIds] = run.clusterIds();
      const n = memberIds.length;
      await processed;
      // a full run starts from nothing: no old members to replace
      if (!opts.full) {
        await step("append_work_members", () => db.appendWorkMembers(memberIds, clusterIds, n));
        await step("cluster.delete_members_in_space", () => db.deleteRewrittenMembers(c));
      }
      await step("append_members", () => db.appendMembers(c, memberIds, clusterIds, n));
      await step("append_input_merges", () => db.appendInputMerges(run.merges));
      await db.insertEvidence(c, run.other);
      if (!opts.full) await step("cluster.drop_stale_clusters", () => db.dropStaleClusters(c));
      await step("cluster.refresh_clusters", () =>
        db.refreshClusters(c, opts.serviceThreshold ?? DEFAULT_SERVICE_THRESHOLD),
      );
      const stats = await db.stats(c);
      const nTx = await db.workTxCount();
      await step("clear_work", () => db.clearWork());
      const t3 = performance.now();
      return {
        chain: c,
        transactions: nTx,
        coinjoins,
        merges: run.merges.length + run.other.length,
        steps,
        changeGuesses,
        clusters: stats.clusters,
        largest: stats.largest,
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
    run: AddressClustering,
    merge: boolean,
    progress?: ClusterOptions["progress"],
  ): Promise<number> {
    const work = await this.db.workTxids();
    const idOfTx = new Map(work.map((r) => [r.txid, r.txId]));
    let count = 0;
    for (let i = 0; i < work.length; i += CHANGE_BATCH) {
      progress?.(i, work.length, "change guesses");
      const txs = await loadUtxoTxs(
        this.store,
        chain,
        work.slice(i, i + CHANGE_BATCH).map((r) => r.txid),
      );
      const addrs = [
        ...new Set(
          txs.flatMap((t) =>
            [...t.inputs, ...t.outputs].map((x) => x.address).filter((a): a is string => a !== null),
          ),
        ),
      ];
      const ctx = await changeContextFor(this.store, chain, addrs);
      const idRows = merge ? await this.ids.addressIds(addrs) : [];
      const ids = new Map(idRows.map((r) => [r.address, r.id]));
      if (merge) {
        for (const r of idRows) run.setKey(r.id, r.key);
        // existing clusters of the outputs too, before anything merges into them
        run.addExisting(await this.db.existingOfIds(chain, [...ids.values()]));
      }
      const rows: ChangeGuessRow[] = [];
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
        run.mergeOther({
          tx: idOfTx.get(tx.txid)!,
          a,
          b,
          heuristic: `change:${best.heuristic}`,
          confidence: best.confidence,
        });
      }
      await this.db.insertChange(chain, rows);
    }
    progress?.(work.length, work.length, "change guesses");
    return count;
  }

  async show(chainName: string, rawAddress: string, limit = 1000): Promise<ClusterInfo> {
    const chain = getChain(chainName);
    const address = normalizeAddress(chain.name, rawAddress);
    const c = await this.db.byAddress(chain.name, address);
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
    const members = await this.db.members(chain.name, c.clusterId, limit);
    const byAddr = await this.labels.forAddresses(chain.name, members);
    const labels = [...byAddr.entries()].flatMap(([a, ls]) =>
      ls.map((l) => ({ ...publicLabel(l), address: a })),
    );
    const evidence = await this.db.evidence(chain.name, c.clusterId, limit);
    return {
      id: c.clusterId.toString(),
      chain: chain.name,
      size: c.size,
      isService: c.isService,
      members,
      labels,
      evidence,
    };
  }

  /** Membership as a map address → cluster id (for tests and exports). */
  async partition(chain: string): Promise<Map<string, string>> {
    return this.db.partition(chain);
  }
}

/** An address in no multi-address cluster is its own cluster of one. */
function singletonId(chain: string, address: string): string {
  return `single:${chain}:${address}`;
}
