import { listValue } from "@duckdb/node-api";
import type { ExistingMembers, OtherMerge } from "../core/cluster.ts";
import { StoreError } from "../errors.ts";
import type { Store } from "./db.ts";
import { big, flag, int, text } from "./rows.ts";

export interface ClusterRow {
  clusterId: bigint;
  size: number;
  isService: boolean;
}

export interface ClusterEvidenceRow {
  txid: string;
  heuristic: string;
  addresses: [string, string];
  confidence: number;
}

export interface ChangeGuessRow {
  txid: string;
  vout: number;
  address: string;
  heuristic: string;
  confidence: number;
  reason: string;
}

/** Evidence rows per statement: DuckDB list parameters are built in memory. */
const EVIDENCE_BATCH = 10_000;

/**
 * Cluster membership, evidence and the scratch tables of a clustering run (cluster_work_*, which only
 * a run's own transaction sees filled). Write inside store.tx().
 */
export class ClusterStore {
  constructor(private readonly store: Store) {}

  // --- reads ---

  async byAddress(chain: string, address: string): Promise<ClusterRow | undefined> {
    const r = await this.store.one("cluster.by_address", { chain, address });
    return r && { clusterId: big(r, "cluster_id"), size: int(r, "size"), isService: flag(r, "is_service") };
  }

  /** Cluster id (as text) and service flag of each of these addresses that is in a cluster. */
  async ofAddresses(
    chain: string,
    addresses: string[],
  ): Promise<Map<string, { clusterId: string; isService: boolean }>> {
    const rows = await this.store.all("cluster.of_addresses", { chain, addresses: listValue(addresses) });
    return new Map(
      rows.map((r) => [
        text(r, "address"),
        { clusterId: big(r, "cluster_id").toString(), isService: flag(r, "is_service") },
      ]),
    );
  }

  async members(chain: string, clusterId: bigint, limit: number): Promise<string[]> {
    const rows = await this.store.all("cluster.members", {
      chain,
      cluster_id: clusterId,
      limit: BigInt(limit),
    });
    return rows.map((r) => text(r, "address"));
  }

  async evidence(chain: string, clusterId: bigint, limit: number): Promise<ClusterEvidenceRow[]> {
    const rows = await this.store.all("cluster.evidence", {
      chain,
      cluster_id: clusterId,
      limit: BigInt(limit),
    });
    return rows.map((r) => ({
      txid: text(r, "txid"),
      heuristic: text(r, "heuristic"),
      addresses: [text(r, "address_a"), text(r, "address_b")],
      confidence: int(r, "confidence"),
    }));
  }

  /** Membership as address → cluster id. */
  async partition(chain: string): Promise<Map<string, string>> {
    const cols = await this.store.columns("cluster.partition", { chain });
    const out = new Map<string, string>();
    const ids = cols.cluster_id as bigint[];
    (cols.address as string[]).forEach((a, i) => {
      out.set(a, ids[i]!.toString());
    });
    return out;
  }

  async stats(chain: string): Promise<{ clusters: number; largest: number }> {
    const r = await this.store.one("cluster.stats", { chain });
    return { clusters: r ? int(r, "n") : 0, largest: r ? int(r, "largest") : 0 };
  }

  /** Stored change guesses of one transaction, by vout and heuristic. */
  async changeOfTx(chain: string, txid: string): Promise<Omit<ChangeGuessRow, "txid">[]> {
    return (await this.store.all("cluster.change_of_tx", { chain, txid })).map((r) => ({
      vout: int(r, "vout"),
      address: text(r, "address"),
      heuristic: text(r, "heuristic"),
      confidence: int(r, "confidence"),
      reason: text(r, "reason"),
    }));
  }

  // --- a clustering run ---

  /** A full recompute forgets the chain's clustering first: membership, evidence, processed txs, change. */
  async forgetAll(chain: string): Promise<void> {
    await this.store.run("cluster.reset_members", { chain });
    await this.store.run("cluster.reset_evidence", { chain });
    await this.store.run("cluster.reset_input_merges", { chain });
    await this.store.run("cluster.reset_clusters", { chain });
    await this.store.run("cluster.reset_txs", { chain });
    await this.store.run("cluster.reset_change", { chain });
  }

  /** Membership, evidence and clusters only (EVM clustering keeps no processed set). */
  async forgetMembership(chain: string): Promise<void> {
    await this.store.run("cluster.reset_members", { chain });
    await this.store.run("cluster.reset_evidence", { chain });
    await this.store.run("cluster.reset_clusters", { chain });
  }

  async clearWork(): Promise<void> {
    await this.store.run("cluster.clear_work_tx");
    await this.store.run("cluster.clear_work_member");
    await this.store.run("cluster.clear_work_edge");
  }

  /** The work set: confirmed non-coinbase txs not clustered yet (all of them when `all`). */
  async fillWork(chain: string, all: boolean): Promise<void> {
    await this.store.run("cluster.fill_work_tx", { chain, all });
  }

  async workTxCount(): Promise<number> {
    const r = await this.store.one("cluster.work_tx_count");
    return r ? int(r, "n") : 0;
  }

  /** Work txs of a shape that can be a CoinJoin (2+ inputs, 3+ outputs, a repeated output value). */
  async coinjoinCandidates(chain: string): Promise<{ txId: number; txid: string }[]> {
    return (await this.store.all("cluster.coinjoin_candidates", { chain })).map(toTxRef);
  }

  async markCoinjoin(txId: number, kind: string): Promise<void> {
    await this.store.run("cluster.mark_coinjoin", { tx_id: txId, kind });
  }

  /** The largest address id and the largest work tx id. */
  async maxIds(): Promise<{ addr: number; tx: number }> {
    const r = (await this.store.one("cluster.max_ids"))!;
    return { addr: int(r, "addr"), tx: int(r, "tx") };
  }

  /** The inputs of work txs that are in an existing cluster, with its id (not the rest of the cluster). */
  /** Whether the chain has any cluster stored (members or cluster rows). */
  async anyStored(chain: string): Promise<boolean> {
    const r = await this.store.one("cluster.any_stored", { chain });
    return r !== undefined && flag(r, "stored");
  }

  async existingOfWork(chain: string): Promise<ExistingMembers> {
    return toExisting(await this.store.typedColumns("cluster.existing_pairs", { chain }));
  }

  /** Each of these address ids that is in a cluster, with its cluster id (not the rest of the cluster). */
  async membersOfIds(chain: string, ids: number[]): Promise<ExistingMembers> {
    return toExisting(
      await this.store.typedColumns("cluster.members_of_ids", { chain, ids: listValue(ids) }),
    );
  }

  /** Every member of a cluster in `from` moves to the id at the same place in `to`. */
  async remapMembers(chain: string, from: bigint[], to: bigint[]): Promise<void> {
    if (from.length === 0) return;
    await this.store.run("cluster.remap_members", { chain, old: listValue(from), new: listValue(to) });
  }

  /**
   * Streams (tx id, address id, address key) of every addressed input of the non-CoinJoin work txs,
   * chunk by chunk; the arrays are valid only during the call.
   */
  async streamWorkInputs(
    fn: (txs: Int32Array, addrs: Int32Array, keys: BigInt64Array, rows: number) => void,
  ): Promise<void> {
    await this.store.streamInts("cluster.input_pairs", {}, (cols, rows) =>
      fn(cols[0] as Int32Array, cols[1] as Int32Array, cols[2] as BigInt64Array, rows),
    );
  }

  async markProcessed(chain: string): Promise<void> {
    await this.store.run("cluster.mark_processed", { chain });
  }

  /** The rewritten addresses, so their old membership can be deleted. */
  async appendWorkMembers(ids: Int32Array, clusterIds: BigInt64Array, n: number): Promise<void> {
    await this.store.appendInts("cluster_work_member", [ids, clusterIds], n);
  }

  async deleteRewrittenMembers(chain: string): Promise<void> {
    await this.store.run("cluster.delete_members_in_space", { chain });
  }

  async appendMembers(chain: string, ids: Int32Array, clusterIds: BigInt64Array, n: number): Promise<void> {
    await this.store.appendInts("cluster_member_ids", [chain, ids, clusterIds], n);
  }

  async appendInputMerges(m: {
    tx: Int32Array;
    a: Int32Array;
    b: Int32Array;
    length: number;
  }): Promise<void> {
    await this.store.appendInts("cluster_input_merges", [m.tx, m.a, m.b], m.length);
  }

  async insertEvidence(chain: string, merges: OtherMerge[]): Promise<void> {
    for (let i = 0; i < merges.length; i += EVIDENCE_BATCH) {
      const part = merges.slice(i, i + EVIDENCE_BATCH);
      await this.store.run("cluster.insert_evidence", {
        chain,
        tx_ids: listValue(part.map((m) => m.tx)),
        heuristics: listValue(part.map((m) => m.heuristic)),
        a_ids: listValue(part.map((m) => m.a)),
        b_ids: listValue(part.map((m) => m.b)),
        confidences: listValue(part.map((m) => m.confidence)),
      });
    }
  }

  /** Clusters left without members. */
  async dropStaleClusters(chain: string): Promise<void> {
    await this.store.run("cluster.drop_stale_clusters", { chain });
  }

  /** Sizes from membership; clusters of `serviceThreshold`+ addresses are flagged as likely services. */
  async refreshClusters(chain: string, serviceThreshold: number): Promise<void> {
    await this.store.run("cluster.refresh_clusters", { chain, service_threshold: serviceThreshold });
  }
}

function toTxRef(r: Record<string, unknown>): { txId: number; txid: string } {
  return { txId: int(r, "tx_id"), txid: text(r, "txid") };
}

function toExisting(cols: (Int32Array | BigInt64Array)[]): ExistingMembers {
  const [grp, addr, cid] = cols;
  if (!(grp instanceof Int32Array && addr instanceof Int32Array && cid instanceof BigInt64Array))
    throw new StoreError("existing cluster members: unexpected column types");
  return { grp, addr, cid };
}
