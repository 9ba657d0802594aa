import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEsploraTx } from "../adapters/esplora/index.ts";
import { createApp } from "../src/api/app.ts";
import {
  changeContextFromTxs,
  locktimeStyle,
  type TxFingerprint,
  type WalletStyle,
} from "../src/core/change.ts";
import { AddressFactTable } from "../src/core/change-ids.ts";
import { DevChain } from "../src/devchain/bitcoin.ts";
import type { UtxoTx } from "../src/domain.ts";
import type { Services } from "../src/services/index.ts";
import { ChangeStore } from "../src/store/change.ts";
import { ClusterStore } from "../src/store/clusters.ts";
import { UtxoStore } from "../src/store/utxo.ts";
import { testServices } from "./helpers/services.ts";

/**
 * Three owners: alice (3 addresses), bob (2 addresses), carol (1). Alice and bob each consolidate
 * their own coins (multi-input), and all three meet in a 3-in/5-out equal-output CoinJoin.
 */
function scenario() {
  const chain = new DevChain({ seed: "cluster" });
  const alice = chain.wallet("alice", "p2wpkh");
  const bob = chain.wallet("bob", "p2pkh");
  const carol = chain.wallet("carol", "p2tr");
  const a = [alice.newAddress(), alice.newAddress(), alice.newAddress()];
  const b = [bob.newAddress(), bob.newAddress()];
  const ua = a.map((x, i) => chain.fund(x, 200_000n + BigInt(i)));
  const ub = b.map((x, i) => chain.fund(x, 300_000n + BigInt(i)));
  const uc = chain.fund(carol.newAddress(), 150_000n);
  chain.mine();
  // alice spends a0+a1 together, later a1's change with a2
  // change goes back to a1 (address reuse), so s2 links a2 to a0/a1 through a1
  const s1 = chain.send({
    from: [ua[0]!, ua[1]!],
    to: [{ address: chain.wallet("shop").address(), value: 350_000n }],
    fee: 1_000n,
    changeAddress: a[1]!,
  });
  chain.mine(); // the store knows no order within a block: s1 must come first for "shop" to count as used
  const s2 = chain.send({
    from: [s1.change!, ua[2]!],
    to: [{ address: chain.wallet("shop").address(), value: 200_000n }],
    fee: 1_000n,
    changeAddress: alice.newAddress(),
  });
  const s3 = chain.send({
    from: [ub[0]!, ub[1]!],
    to: [{ address: bob.newAddress(), value: 590_000n }],
    fee: 1_000n,
    changeAddress: bob.newAddress(),
  });
  chain.mine();
  // the CoinJoin: one input each from alice, bob, carol; three equal 100k outputs + two change outputs
  const cj = chain.send({
    from: [s2.change!, s3.outputs[0]!, uc],
    to: [
      { address: alice.newAddress(), value: 100_000n },
      { address: bob.newAddress(), value: 100_000n },
      { address: carol.newAddress(), value: 100_000n },
      { address: bob.newAddress(), value: 399_000n },
      { address: carol.newAddress(), value: 49_000n },
    ],
    fee: s2.change!.value + s3.outputs[0]!.value + uc.value - 748_000n,
  });
  chain.mine();
  const txs: UtxoTx[] = chain.esploraTxs().map((t) => parseEsploraTx(t));
  return { chain, a, b, txs, s1, s2, s3, cj, carol };
}

let s: Services;
const sc = scenario();
beforeAll(async () => {
  s = await testServices("cluster");
  const u = new UtxoStore(s.store);
  await s.store.tx(async () => {
    for (const t of sc.txs) await u.writeTx(t);
  });
  // clustered before any test reads the partition (the first test clusters again, from scratch)
  await s.clusters.cluster("bitcoin", { full: true });
});
afterAll(() => s.close());

describe("Bitcoin multi-input clustering", () => {
  it("merges the inputs of each owner's transactions and records the tx for every merge", async () => {
    const r = await s.clusters.cluster("bitcoin", { full: true });
    // 3 equal outputs + 2 change: JoinMarket-shaped, and also the generic equal-output rule
    expect(Object.values(r.coinjoins)).toEqual([1]);
    const p = await s.clusters.partition("bitcoin");
    const alice = p.get(sc.a[0]!);
    expect(alice).toBeDefined();
    expect(p.get(sc.a[1]!)).toBe(alice);
    expect(p.get(sc.a[2]!)).toBe(alice);
    expect(p.get(sc.b[0]!)).toBe(p.get(sc.b[1]!));
    expect(p.get(sc.b[0]!)).not.toBe(alice);

    const show = await s.clusters.show("bitcoin", sc.a[0]!);
    expect(show.size).toBe(3);
    expect(show.evidence.map((e) => e.txid).sort()).toEqual([sc.s1.txid, sc.s2.txid].sort());
    expect(show.evidence.every((e) => e.heuristic === "multi-input")).toBe(true);
  });

  it("never merges the strangers who met in the CoinJoin", async () => {
    const p = await s.clusters.partition("bitcoin");
    const cjInputs = sc.txs.find((t) => t.txid === sc.cj.txid)!.inputs.map((i) => i.address!);
    const ids = cjInputs.map((a) => p.get(a) ?? a);
    expect(new Set(ids).size).toBe(3);
  });

  it("serves a cluster over the API and shows it on the address", async () => {
    const app = createApp(s);
    const r = await app.request(`/v1/clusters/bitcoin/${sc.a[1]}`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as any;
    expect(body.members).toEqual(expect.arrayContaining(sc.a));
    expect(body.evidence[0]).toMatchObject({ heuristic: "multi-input" });
    const addr = (await (await app.request(`/v1/addresses/bitcoin/${sc.a[1]}`)).json()) as any;
    expect(addr.cluster).toEqual({ id: body.id, size: body.size, isService: false });
  });

  it("a cluster-defining label applies to every member; others stay on their address", async () => {
    await s.labels.importBytes(
      Buffer.from(
        `chain,address,label,category,source,confidence,program,reference,cluster_defining\nbitcoin,${sc.a[0]},Alice Exchange,exchange,test,50,,,true\nbitcoin,${sc.a[1]},alice note,user,test,50,,,false\n`,
      ),
      "alice.csv",
      "csv",
    );
    const ls = await s.labels.forAddress("bitcoin", sc.a[2]!);
    expect(ls.map((l) => l.category)).toEqual(["exchange"]);
    expect((await s.labels.forAddress("bitcoin", sc.b[0]!)).length).toBe(0);
  });

  it("reports change guesses always and merges them only when asked", async () => {
    const changeAddr = sc.s2.change!.address!;
    let p = await s.clusters.partition("bitcoin");
    expect(p.get(changeAddr)).toBeUndefined();
    const guesses = await new ClusterStore(s.store).changeOfTx("bitcoin", sc.s2.txid);
    expect(guesses).toContainEqual(
      expect.objectContaining({ address: changeAddr, heuristic: "one-time-change", confidence: 70 }),
    );

    const r = await s.clusters.cluster("bitcoin", { full: true, heuristics: ["multi-input", "change"] });
    expect(r.changeGuesses).toBeGreaterThan(0);
    p = await s.clusters.partition("bitcoin");
    expect(p.get(changeAddr)).toBe(p.get(sc.a[0]!));
    const show = await s.clusters.show("bitcoin", changeAddr);
    expect(show.evidence).toContainEqual(
      expect.objectContaining({ txid: sc.s2.txid, heuristic: "change:one-time-change", confidence: 70 }),
    );
    // back to multi-input only for the property test below
    await s.clusters.cluster("bitcoin", { full: true });
  });

  it("reads per-address facts from the store equal to building them from every stored transaction", async () => {
    const ordered = sc.txs
      .filter((t) => t.block !== null)
      .sort((x, y) => x.block!.height - y.block!.height || (x.txid < y.txid ? -1 : 1));
    const want = changeContextFromTxs(ordered);
    const addrs = [
      ...new Set(sc.txs.flatMap((t) => [...t.inputs, ...t.outputs].map((x) => x.address!).filter(Boolean))),
    ];
    const got = await storedFacts(s, addrs);
    let spends = 0;
    for (const a of addrs) {
      expect(got.firstSeen(a), a).toEqual(want.firstSeen(a)?.txid);
      const list = want.spentTxsOf(a);
      expect(got.spends(a), a).toBe(list.length);
      spends += list.length;
      for (const style of STYLES) {
        expect(got.spentLike(a, style), `${a} ${JSON.stringify(style)}`).toBe(
          list.every((f) => like(f, style)),
        );
      }
    }
    expect(spends).toBeGreaterThan(5);
  });

  it("property: random batches in random order give the same clusters as one full pass", {
    tags: ["slow"],
  }, async () => {
    const full = await s.clusters.partition("bitcoin");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: sc.txs.length, maxLength: sc.txs.length }),
        fc.integer(),
        async (batchOf, seed) => {
          const t = await testServices("cluster-prop");
          try {
            const u = new UtxoStore(t.store);
            const order = [...sc.txs].sort((x, y) => (hash(x.txid, seed) - hash(y.txid, seed)) | 0);
            for (let b = 0; b <= 3; b++) {
              const batch = order.filter((_, i) => batchOf[i] === b);
              await t.store.tx(async () => {
                for (const tx of batch) await u.writeTx(tx);
              });
              await t.clusters.cluster("bitcoin");
            }
            const p = await t.clusters.partition("bitcoin");
            expect(p).toEqual(full);
            // evidence follows merged clusters: each cluster's merges are a spanning tree of its members
            for (const id of new Set(p.values())) {
              const members = [...p].filter(([, c]) => c === id).map(([a]) => a);
              const info = await t.clusters.show("bitcoin", members[0]!);
              expect(info.evidence).toHaveLength(members.length - 1);
              const uf = new Map(members.map((m) => [m, m]));
              const find = (x: string): string => (uf.get(x) === x ? x : find(uf.get(x)!));
              for (const e of info.evidence) uf.set(find(e.addresses[0]), find(e.addresses[1]));
              expect(new Set(members.map(find)).size).toBe(1);
            }
          } finally {
            t.close();
          }
        },
      ),
      { numRuns: 6 },
    );
  });
});

function hash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 2654435761);
  return h;
}

const STYLES: WalletStyle[] = [1, 2].flatMap((version) =>
  (["zero", "height", "time"] as const).flatMap((locktime) =>
    [true, false].map((rbf) => ({ version, locktime, rbf })),
  ),
);

/** The reference: every spend looks built by a wallet of this style, unknown fields never contradicting. */
function like(f: TxFingerprint, s: WalletStyle): boolean {
  const lt = locktimeStyle(f.locktime);
  return (
    (f.version === null || f.version === s.version) &&
    (lt === null || lt === s.locktime) &&
    (f.rbf === null || f.rbf === s.rbf)
  );
}

/** The facts a clustering run reads for these addresses (by their ids), answered by address. */
async function storedFacts(s: Services, addresses: string[]) {
  const ids = new Map<string, number>();
  for (const r of await s.store.sql("SELECT address, id FROM address_ids"))
    ids.set(r.address as string, r.id as number);
  const txids = new Map<number, string>();
  for (const r of await s.store.sql("SELECT txid, id FROM tx_ids"))
    txids.set(r.id as number, r.txid as string);
  const table = new AddressFactTable(Math.max(...ids.values()));
  // the facts of every address (what a run whose work is most of the store reads) agree on these
  const everyAddress = new AddressFactTable(Math.max(...ids.values()));
  await s.store.tx(async (tx) => {
    const cs = new ChangeStore(tx);
    await tx.sql(
      `INSERT INTO change_work_addr SELECT unnest([${addresses.map((a) => ids.get(a)).join(",")}])`,
    );
    for (const [t, all] of [
      [table, false],
      [everyAddress, true],
    ] as const) {
      await cs.firstSeen("bitcoin", all, t);
      await cs.streamSpendSummary("bitcoin", all, (c, n) => t.addSpends(c, n));
    }
    await cs.clearWork();
  });
  for (const a of addresses) {
    const id = ids.get(a)!;
    expect([everyAddress.firstTx[id], everyAddress.spends[id]]).toEqual([
      table.firstTx[id],
      table.spends[id],
    ]);
    for (const style of STYLES) expect(everyAddress.spentLike(id, style)).toBe(table.spentLike(id, style));
  }
  return {
    firstSeen: (a: string) => txids.get(table.firstTx[ids.get(a)!]!),
    spends: (a: string) => table.spends[ids.get(a)!]!,
    spentLike: (a: string, style: WalletStyle) =>
      table.spends[ids.get(a)!] === 0 || table.spentLike(ids.get(a)!, style),
  };
}
