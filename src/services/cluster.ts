import { getChain, normalizeAddress } from "../chains.ts";
import { AddressFactTable, type ChangeRange, guessRange, type IdMerge } from "../core/change-ids.ts";
import { AddressClustering } from "../core/cluster.ts";
import { detectCoinJoin, isCollaborative } from "../core/coinjoin.ts";
import { BadInputError, quote } from "../errors.ts";
import { ChangeStore } from "../store/change.ts";
import { ClusterStore } from "../store/clusters.ts";
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

/** Tx ids whose change is guessed together (their rows are in memory at once). */
const CHANGE_RANGE = 500_000;
/** Tx ids guessed between two turns of the event loop. */
const GUESS_SLICE = 10_000;

/** Clustering over stored transactions: union-find in typed arrays, evidence for every merge. */
export class ClusterService {
  private readonly db: ClusterStore;
  private readonly change: ChangeStore;

  constructor(
    private readonly store: Store,
    private readonly labels: LabelService,
  ) {
    this.db = new ClusterStore(store);
    this.change = new ChangeStore(store);
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
      // nothing stored yet (a first run): no members to load, replace or drop, as after forgetAll
      const fromScratch = opts.full || !(await db.anyStored(c));
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
      // (a full run has just forgotten them; a first run has none)
      if (!fromScratch) run.addExisting(await step("cluster.existing_pairs", () => db.existingOfWork(c)));
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
        changeGuesses = await step("change", () =>
          this.changeStep(
            c,
            run,
            max,
            { merge: heuristics.includes("change"), full: Boolean(opts.full) },
            step,
            opts.progress,
          ),
        );
      }
      const t2 = performance.now();

      // DuckDB marks the work set processed on its threads while JS finds the cluster ids
      const processed = step("cluster.mark_processed", () => db.markProcessed(c));
      // every address of a rewritten cluster (2+ members), with its cluster id
      const [memberIds, clusterIds] = run.clusterIds();
      const n = memberIds.length;
      await processed;
      // a full or first run starts from nothing: no old members to replace
      if (!fromScratch) {
        // members the run did not load follow their cluster to its new id
        const moved = run.movedClusters();
        await step("cluster.remap_members", () => db.remapMembers(c, moved.from, moved.to));
        await step("append_work_members", () => db.appendWorkMembers(memberIds, clusterIds, n));
        await step("cluster.delete_members_in_space", () => db.deleteRewrittenMembers(c));
      }
      await step("append_members", () => db.appendMembers(c, memberIds, clusterIds, n));
      await step("append_input_merges", () => db.appendInputMerges(run.merges));
      await db.insertEvidence(c, run.other);
      if (!fromScratch) await step("cluster.drop_stale_clusters", () => db.dropStaleClusters(c));
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

  /**
   * Change guesses for every new tx (always reported), merged into the input cluster only when asked.
   * Per-address facts are read once for the addresses the work touches; the txs are then streamed in
   * tx-id ranges and their guesses written by one statement; merges apply in tx order after the
   * multi-input ones, over the existing clusters of their addresses (only those members are loaded).
   */
  private async changeStep(
    chain: string,
    run: AddressClustering,
    max: { addr: number; tx: number },
    how: { merge: boolean; full: boolean },
    step: <T>(name: string, f: () => Promise<T>) => Promise<T>,
    progress?: ClusterOptions["progress"],
  ): Promise<number> {
    const cs = this.change;
    await step("change.check_coinjoins", () => this.checkCoinjoins(chain));
    const work = await cs.workRange();
    // facts of every address when the work is most of the store (tx ids count up as txs are stored):
    // no work-address set to build and probe
    const all = work.n * 2 >= max.tx;
    if (!all) await step("change.fill_work_addr", () => cs.fillWorkAddresses());
    const facts = new AddressFactTable(max.addr);
    await step("change.first_seen", () => cs.firstSeen(chain, all, facts));
    await step("change.spend_summary", () =>
      cs.streamSpendSummary(chain, all, (c, n) => facts.addSpends(c, n)),
    );
    const types = await cs.inTypes(chain);
    const merges: IdMerge[] = [];
    let count = 0;
    const writer = await cs.guessWriter();
    // DuckDB reads the next range on its threads while this one is guessed
    const read = (lo: number): Promise<ChangeRange> => {
      const hi = Math.min(work.hi, lo + CHANGE_RANGE - 1);
      return Promise.all([
        cs.workTxs(chain, types, lo, hi),
        cs.workInputs(lo, hi),
        cs.workOutputs(types, lo, hi),
      ]).then(([txs, inputs, outputs]) => ({ txs, inputs, outputs, types }));
    };
    try {
      let next = work.lo <= work.hi ? read(work.lo) : null;
      for (let lo = work.lo; next !== null; lo += CHANGE_RANGE) {
        progress?.(lo - work.lo, work.hi - work.lo + 1, "change guesses");
        const range = await step("change.read_range", () => next!);
        next = lo + CHANGE_RANGE <= work.hi ? read(lo + CHANGE_RANGE) : null;
        // a failed read is thrown when awaited, not reported as unhandled before
        next?.catch(() => undefined);
        await step("change.guess", async () => {
          const guessing = guessRange(
            range,
            facts,
            (tx, g, spenders) => {
              writer.push(tx, g, spenders);
              count++;
            },
            (m) => how.merge && merges.push(m),
            GUESS_SLICE,
          );
          // between slices the next range's reads move on (each needs a turn of the event loop)
          for (const _ of guessing) await new Promise(setImmediate);
        });
      }
    } finally {
      await step("change.append_guesses", async () => writer.close());
    }
    await step("change.insert_guesses", () => cs.insertGuesses(chain));
    await cs.clearWork();
    progress?.(work.hi - work.lo + 1, work.hi - work.lo + 1, "change guesses");
    if (merges.length > 0) await step("change.merge", () => this.mergeChange(chain, run, merges, how.full));
    return count;
  }

  /** Change merges in tx order, each recorded only when it joins two clusters. */
  private async mergeChange(
    chain: string,
    run: AddressClustering,
    merges: IdMerge[],
    full: boolean,
  ): Promise<void> {
    for (const m of merges) {
      run.setKey(m.a, m.aKey);
      run.setKey(m.b, m.bKey);
    }
    // the existing clusters of the merged addresses first (a full run has forgotten them)
    if (!full)
      run.addExisting(await this.db.membersOfIds(chain, [...new Set(merges.flatMap((m) => [m.a, m.b]))]));
    for (const m of merges) {
      run.mergeOther({ tx: m.tx, a: m.a, b: m.b, heuristic: m.heuristic, confidence: m.confidence });
    }
  }

  /** Txs carried over from an older file get their CoinJoin kind once (change skips every kind). */
  private async checkCoinjoins(chain: string): Promise<void> {
    const unchecked = await this.change.uncheckedCoinjoins(chain);
    for (let i = 0; i < unchecked.length; i += 500) {
      const part = unchecked.slice(i, i + 500);
      const txs = await loadUtxoTxs(
        this.store,
        chain,
        part.map((r) => r.txid),
      );
      const kind = new Map(txs.map((t) => [t.txid, detectCoinJoin(t)?.kind ?? null]));
      await this.change.setCoinjoins(
        chain,
        part.map((r) => ({ txId: r.txId, kind: kind.get(r.txid) ?? null })),
      );
    }
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
