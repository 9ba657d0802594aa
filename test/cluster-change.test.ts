import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEsploraTx } from "../adapters/esplora/index.ts";
import { changeContextFromTxs, changeHeuristics, changeToMerge } from "../src/core/change.ts";
import { detectCoinJoin, isCollaborative } from "../src/core/coinjoin.ts";
import { DevChain, type Utxo } from "../src/devchain/bitcoin.ts";
import type { UtxoTx } from "../src/domain.ts";
import type { Services } from "../src/services/index.ts";
import { ClusterStore } from "../src/store/clusters.ts";
import { UtxoStore } from "../src/store/utxo.ts";
import { randomActivity } from "./helpers/activity.ts";
import { testServices } from "./helpers/services.ts";

/**
 * The change step of a clustering run against the path it replaced: for each run, every new confirmed
 * tx's guesses as changeHeuristics gives them over a ChangeContext of every stored confirmed tx
 * (changeContextFromTxs, the reference), the merges of the unambiguous ones, recorded in tx order
 * only when they join two clusters, over random wallet activity ingested in random batches.
 */
describe("change guesses from stored fingerprints and per-address facts", () => {
  it("property: same guesses, reasons, merges and evidence as the reference, run after run", {
    tags: ["slow"],
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 200, maxLength: 200 }),
        async (seed, batchOf) => {
          const { txs } = randomActivity(seed, { txs: 35 });
          const s = await testServices("change-prop");
          try {
            const runs = [0, 1, 2].map((b) => txs.filter((_, i) => batchOf[i % batchOf.length] === b));
            const want = new Reference();
            for (const batch of runs) {
              await new UtxoStore(s.store).writeTxs(batch);
              await s.clusters.cluster("bitcoin", { heuristics: ["multi-input", "change"] });
              want.run(batch, await txIds(s));
            }
            expect(await guesses(s)).toEqual(want.guesses.sort());
            expect(await changeEvidence(s)).toEqual(want.evidence.sort());
            expect(await partition(s)).toEqual(want.partition());
            // every cluster's id is its smallest member key, members loaded by a run or not
            const ids = await s.store.sql(
              `SELECT count(*)::INTEGER AS bad FROM cluster_member_ids m JOIN (
                 SELECT c.cluster_id, min(a.key) AS k FROM cluster_member_ids c JOIN address_ids a ON a.id = c.addr_id
                 GROUP BY c.cluster_id) x ON x.cluster_id = m.cluster_id WHERE m.cluster_id <> x.k`,
            );
            expect(ids).toEqual([{ bad: 0 }]);
          } finally {
            s.close();
          }
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe("fee pattern over several input addresses", () => {
  it("counts each other spending tx once, whichever of the input addresses it spent from", async () => {
    const chain = new DevChain({ seed: "fee-multi" });
    const legacy = { version: 1, locktime: 0, sequence: 0xffffffff };
    const w = chain.wallet("w");
    const [a1, a2] = [w.newAddress(), w.newAddress()];
    const c1 = [1, 2, 3].map((i) => chain.fund(a1, 500_000n + BigInt(i)));
    const c2 = [1, 2, 3].map((i) => chain.fund(a2, 700_000n + BigInt(i)));
    chain.mine();
    const pay = (from: Utxo[], value: bigint) =>
      chain.send({
        from,
        to: [{ address: chain.wallet("x").newAddress(), value }],
        fee: 500n,
        changeAddress: w.newAddress(),
        ...legacy,
      });
    pay([c1[0]!, c2[0]!], 100_000n); // spends from both: one other tx, not two
    pay([c1[1]!], 100_000n);
    pay([c2[1]!], 100_000n);
    chain.mine();
    const m = chain.wallet("merchant");
    const t = chain.send({
      from: [c1[2]!, c2[2]!],
      to: [{ address: m.newAddress(), value: 300_000n }],
      fee: 700n,
      changeAddress: w.newAddress(),
      ...legacy,
    });
    chain.mine();
    pay([t.change!], 100_000n);
    chain.send({
      from: [t.outputs[0]!],
      to: [{ address: chain.wallet("y").newAddress(), value: 200_000n }],
      fee: 500n,
      changeAddress: m.newAddress(),
    });
    chain.mine();
    const txs = chain.esploraTxs().map((x) => parseEsploraTx(x));
    const s = await testServices("fee-multi");
    try {
      await new UtxoStore(s.store).writeTxs(txs);
      await s.clusters.cluster("bitcoin");
      const got = await new ClusterStore(s.store).changeOfTx("bitcoin", t.txid);
      const reason =
        "spent like the wallet's 3 other txs (version 1, locktime zero, no RBF); another output's spender differs";
      expect(got).toContainEqual({
        vout: 1,
        address: t.change!.address!,
        heuristic: "fee-pattern",
        confidence: 65,
        reason,
      });
      const want = changeHeuristics(txs.find((x) => x.txid === t.txid)!, changeContextFromTxs(txs));
      expect(want.find((g) => g.heuristic === "fee-pattern")?.reason).toBe(reason);
    } finally {
      s.close();
    }
  });
});

/** The replaced path, in memory: what each clustering run stored. */
class Reference {
  readonly guesses: string[] = [];
  readonly evidence: string[] = [];
  private readonly stored = new Map<string, UtxoTx>();
  private readonly processed = new Set<string>();
  private readonly parent = new Map<string, string>();

  run(batch: UtxoTx[], txId: Map<string, number>): void {
    for (const t of batch) this.stored.set(t.txid, t);
    const confirmed = [...this.stored.values()]
      .filter((t) => t.block !== null)
      .sort((x, y) => x.block!.height - y.block!.height || (x.txid < y.txid ? -1 : 1));
    const ctx = changeContextFromTxs(confirmed);
    const work = confirmed
      .filter((t) => !t.inputs.some((i) => i.isCoinbase) && !this.processed.has(t.txid))
      .sort((x, y) => txId.get(x.txid)! - txId.get(y.txid)!);
    // multi-input first: every input of a tx that is not a CoinJoin of several owners
    for (const t of work) {
      const addrs = t.inputs.map((i) => i.address).filter((a) => a !== null);
      if (!collaborative(t)) for (const a of addrs.slice(1)) this.union(addrs[0]!, a);
    }
    for (const t of work) {
      this.processed.add(t.txid);
      if (collaborative(t)) continue;
      const gs = changeHeuristics(t, ctx);
      for (const g of gs)
        this.guesses.push(JSON.stringify([t.txid, g.vout, g.address, g.heuristic, g.confidence, g.reason]));
      const best = changeToMerge(gs);
      const a = t.inputs.find((i) => i.address !== null)?.address;
      if (!best || !a) continue;
      if (this.union(a, best.address)) {
        this.evidence.push(
          JSON.stringify([t.txid, `change:${best.heuristic}`, a, best.address, best.confidence]),
        );
      }
    }
  }

  /** Address → the smallest address of its cluster, for clusters of 2+. */
  partition(): string[][] {
    const sets = new Map<string, string[]>();
    for (const a of this.parent.keys()) {
      const r = this.find(a);
      sets.set(r, [...(sets.get(r) ?? []), a]);
    }
    return [...sets.values()]
      .filter((m) => m.length > 1)
      .map((m) => m.sort())
      .sort(byFirst);
  }

  private find(a: string): string {
    let x = a;
    while (this.parent.has(x) && this.parent.get(x) !== x) x = this.parent.get(x)!;
    return x;
  }

  private union(a: string, b: string): boolean {
    for (const x of [a, b]) if (!this.parent.has(x)) this.parent.set(x, x);
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra === rb) return false;
    this.parent.set(rb, ra);
    return true;
  }
}

/** What the multi-input step marks: a CoinJoin of several owners among the shapes it looks at. */
function collaborative(t: UtxoTx): boolean {
  const values = t.outputs.map((o) => o.value);
  const shape = t.inputs.length >= 2 && t.outputs.length >= 3 && new Set(values).size < values.length;
  const cj = shape ? detectCoinJoin(t) : null;
  return cj !== null && isCollaborative(cj.kind);
}

const byFirst = (x: string[], y: string[]) => (x[0]! < y[0]! ? -1 : 1);

async function txIds(s: Services): Promise<Map<string, number>> {
  return new Map(
    (await s.store.sql("SELECT txid, id FROM tx_ids")).map((r) => [r.txid as string, r.id as number]),
  );
}

async function guesses(s: Services): Promise<string[]> {
  const rows = await s.store.sql(
    "SELECT txid, vout, address, heuristic, confidence, reason FROM change_guesses",
  );
  return rows
    .map((r) => JSON.stringify([r.txid, r.vout, r.address, r.heuristic, r.confidence, r.reason]))
    .sort();
}

async function changeEvidence(s: Services): Promise<string[]> {
  const rows = await s.store.sql(
    "SELECT txid, heuristic, address_a, address_b, confidence FROM cluster_evidence WHERE heuristic LIKE 'change:%'",
  );
  return rows
    .map((r) => JSON.stringify([r.txid, r.heuristic, r.address_a, r.address_b, r.confidence]))
    .sort();
}

async function partition(s: Services): Promise<string[][]> {
  const sets = new Map<string, string[]>();
  for (const [a, c] of await s.clusters.partition("bitcoin")) sets.set(c, [...(sets.get(c) ?? []), a]);
  return [...sets.values()].map((m) => m.sort()).sort(byFirst);
}

describe("an incremental run next to a large cluster", () => {
  /**
   * A 30-address cluster; then a newcomer spends together with a reused member. Only those two rows
   * are rewritten; the other members keep their rows, or (newcomer's key below the cluster id) follow
   * the cluster to its new id, as a full recompute gives.
   */
  it.each([
    ["keeps its id: the other members' rows are untouched", false],
    ["takes the newcomer's smaller key: every member follows", true],
  ])("%s", async (_, below) => {
    const chain = new DevChain({ seed: "giant" });
    const w = chain.wallet("big");
    const coins = Array.from({ length: 30 }, (_, i) => chain.fund(w.newAddress(), 100_000n + BigInt(i)));
    chain.mine();
    chain.send({ from: coins, to: [{ address: w.newAddress(), value: 3_000_435n - 1_000n }], fee: 1_000n });
    chain.mine();
    const s = await testServices("giant");
    try {
      const u = new UtxoStore(s.store);
      await u.writeTxs(chain.esploraTxs().map((x) => parseEsploraTx(x)));
      await s.clusters.cluster("bitcoin");
      const member = coins[0]!.address!;
      const cid = (await s.clusters.partition("bitcoin")).get(member)!;
      const other = chain.wallet("other");
      let x = other.newAddress();
      while (keyOf(x) < BigInt(cid) !== below) x = other.newAddress();
      const coin = chain.fund(x, 50_000n);
      const reused = chain.fund(member, 70_000n);
      chain.mine();
      chain.send({
        from: [coin, reused],
        to: [{ address: chain.wallet("shop").newAddress(), value: 100_000n }],
        fee: 1_000n,
        changeAddress: w.newAddress(),
      });
      chain.mine();
      const rows = () =>
        s.store.sql("SELECT addr_id, cluster_id, rowid FROM cluster_member_ids ORDER BY addr_id");
      const before = await rows();
      await u.writeTxs(chain.esploraTxs().map((y) => parseEsploraTx(y)));
      await s.clusters.cluster("bitcoin");
      const p = await s.clusters.partition("bitcoin");
      const newId = below ? keyOf(x).toString() : cid;
      expect(p.size).toBe(31);
      expect(new Set(p.values())).toEqual(new Set([newId]));
      const touched = new Set(
        (await s.store.sql(`SELECT id FROM address_ids WHERE address IN ('${x}', '${member}')`)).map(
          (r) => r.id,
        ),
      );
      expect(touched.size).toBe(2);
      const kept = (await rows()).filter((r) => !touched.has(r.addr_id));
      expect(kept).toHaveLength(29);
      const keptBefore = before.filter((r) => !touched.has(r.addr_id));
      if (below) {
        expect(kept.map((r) => r.addr_id)).toEqual(keptBefore.map((r) => r.addr_id));
        expect(kept.every((r) => String(r.cluster_id) === newId)).toBe(true);
      } else expect(kept).toEqual(keptBefore);
      // a full recompute agrees
      await s.clusters.cluster("bitcoin", { full: true });
      expect(await s.clusters.partition("bitcoin")).toEqual(p);
    } finally {
      s.close();
    }
  });
});

/** address_ids.key: the first 15 hex digits of the address's MD5. */
function keyOf(address: string): bigint {
  return BigInt(`0x${createHash("md5").update(address).digest("hex").slice(0, 15)}`);
}
