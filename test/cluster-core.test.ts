import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressClustering, clusterDepositSenders, type DepositMatch } from "../src/core/cluster.ts";

/** Naive clustering: relabel sets; a cluster's id is its smallest member key. */
function naive(n: number, txs: number[][], keyOf: (a: number) => bigint): Map<number, bigint> {
  const label = Array.from({ length: n + 1 }, (_, i) => i);
  for (const ins of txs)
    for (const a of ins.slice(1)) {
      const from = label[a]!;
      const to = label[ins[0]!]!;
      for (let i = 0; i <= n; i++) if (label[i] === from) label[i] = to;
    }
  const out = new Map<number, bigint>();
  for (let a = 1; a <= n; a++) {
    const members = label.map((l, i) => (l === label[a] && i > 0 ? i : -1)).filter((i) => i > 0);
    if (members.length < 2) continue;
    out.set(a, members.map(keyOf).sort((x, y) => (x < y ? -1 : 1))[0]!);
  }
  return out;
}

describe("core clustering", () => {
  it("multi-input: same clusters and smallest-key ids as naive relabelling, in any chunking", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.array(fc.array(fc.integer({ min: 1, max: n }), { minLength: 1, maxLength: 4 }), {
              maxLength: 20,
            }),
            fc.integer({ min: 1, max: 7 }),
          ),
        ),
        ([n, txs, chunk]) => {
          // keys near 2^40 and above 2^32: both 32-bit halves matter
          const keyOf = (a: number) => 2n ** 40n - BigInt((a * 7919) % 101) * 2n ** 31n + BigInt(a);
          const rows = txs.flatMap((ins, t) => ins.map((a) => [t + 1, a] as const));
          const run = new AddressClustering(n, txs.length);
          for (let i = 0; i < rows.length; i += chunk) {
            const part = rows.slice(i, i + chunk);
            run.addInputs(
              Int32Array.from(part.map((r) => r[0])),
              Int32Array.from(part.map((r) => r[1])),
              BigInt64Array.from(part.map((r) => keyOf(r[1]))),
              part.length,
            );
          }
          const [ids, cids] = run.clusterIds();
          const got = new Map([...ids].map((a, i) => [a, cids[i]!]));
          expect(got).toEqual(naive(n, txs, keyOf));
          // one evidence row per real merge: members minus clusters
          const clusters = new Set(got.values()).size;
          expect(run.merges.length).toBe(got.size - clusters);
        },
      ),
    );
  });

  it("evidence is canonical: the same rows in any order and chunking record the same merges, lowest tx first", () => {
    /** Merges recorded for these (tx, address) rows fed in this order and chunk size. */
    const mergesOf = (n: number, maxTx: number, rows: (readonly [number, number])[], chunk: number) => {
      const run = new AddressClustering(n, maxTx);
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk);
        run.addInputs(
          Int32Array.from(part.map((r) => r[0])),
          Int32Array.from(part.map((r) => r[1])),
          BigInt64Array.from(part.map((r) => BigInt(r[1]))),
          part.length,
        );
      }
      const m = run.merges;
      return Array.from({ length: m.length }, (_, i): [number, number, number] => [
        m.tx[i]!,
        m.a[i]!,
        m.b[i]!,
      ]);
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.array(fc.array(fc.integer({ min: 1, max: n }), { minLength: 1, maxLength: 4 }), {
              maxLength: 25,
            }),
            fc.integer({ min: 1, max: 7 }),
            fc.integer({ min: 1, max: 7 }),
            fc.integer(),
          ),
        ),
        ([n, txs, chunkA, chunkB, seed]) => {
          const rows = txs.flatMap((ins, t) => ins.map((a) => [t + 1, a] as const));
          // a deterministic shuffle of the same rows
          let x = seed | 1;
          const shuffled = rows
            .map((r) => {
              x = (x * 1103515245 + 12345) | 0;
              return [x, r] as const;
            })
            .sort((p, q) => p[0] - q[0])
            .map(([, r]) => r);
          const a = mergesOf(n, txs.length, rows, chunkA);
          expect(mergesOf(n, txs.length, shuffled, chunkB)).toEqual(a);
          // each merge names its tx's lowest input; merges come in tx order
          for (const [t, f] of a) expect(f).toBe(Math.min(...txs[t - 1]!));
          expect(a.map(([t]) => t)).toEqual([...a.map(([t]) => t)].sort((p, q) => p - q));
        },
      ),
    );
    // tx 2 and tx 1 both join {1,2}: tx 1 is the evidence, whichever row comes first
    expect(
      mergesOf(
        3,
        2,
        [
          [2, 2],
          [2, 1],
          [1, 2],
          [1, 1],
        ],
        1,
      ),
    ).toEqual([[1, 1, 2]]);
  });

  it("existing clusters keep their id unless a smaller key joins; change merges are recorded once", () => {
    const run = new AddressClustering(6, 1);
    run.addExisting({
      grp: Int32Array.of(1, 1, 2, 2),
      addr: Int32Array.of(1, 2, 3, 4),
      cid: BigInt64Array.of(50n, 50n, 90n, 90n),
    });
    run.addInputs(Int32Array.of(1, 1), Int32Array.of(2, 5), BigInt64Array.of(50n, 20n), 2);
    run.setKey(6, 95n);
    expect(run.mergeOther({ tx: 1, a: 3, b: 6, heuristic: "change:x", confidence: 70 })).toBe(true);
    expect(run.mergeOther({ tx: 1, a: 4, b: 6, heuristic: "change:x", confidence: 70 })).toBe(false);
    const [ids, cids] = run.clusterIds();
    expect([...ids]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...cids]).toEqual([20n, 20n, 90n, 90n, 20n, 90n]);
    expect(run.merges.length).toBe(1);
    expect(run.other).toHaveLength(1);
  });

  it("members of one cluster loaded apart (inputs, then change merges) are one set; the cluster moves once", () => {
    // cluster 100 has members 1, 2, 3 (and others not loaded); 2 is an input, 3 a change merge's
    const run = new AddressClustering(5, 1);
    run.addExisting({ grp: Int32Array.of(1), addr: Int32Array.of(2), cid: BigInt64Array.of(100n) });
    run.addInputs(Int32Array.of(1, 1), Int32Array.of(2, 4), BigInt64Array.of(150n, 300n), 2);
    run.addExisting({ grp: Int32Array.of(1), addr: Int32Array.of(3), cid: BigInt64Array.of(100n) });
    run.setKey(5, 50n);
    expect(run.mergeOther({ tx: 1, a: 3, b: 5, heuristic: "change:x", confidence: 70 })).toBe(true);
    const [ids, cids] = run.clusterIds();
    expect([...ids]).toEqual([2, 3, 4, 5]);
    expect([...cids]).toEqual([50n, 50n, 50n, 50n]);
    expect(run.movedClusters()).toEqual({ from: [100n], to: [50n] });
  });

  it("deposit senders: chained per deposit address, named by the smallest address, exchanges excluded", () => {
    const m = (deposit: string, sender: string, receipt: string, customer = true): DepositMatch => ({
      deposit,
      exchange: "0xex",
      forwardTxid: `f-${deposit}`,
      sender,
      receiptTxid: receipt,
      customer,
    });
    const r = clusterDepositSenders([
      m("0xd1", "0xc", "r1"),
      m("0xd1", "0xa", "r2"),
      m("0xd1", "0xc", "r3"),
      m("0xd1", "0xex2", "r4", false),
      m("0xd2", "0xb", "r5"),
      m("0xd2", "0xd1", "r6"), // a deposit address paying another: the exchange moving funds
      m("0xd3", "0xa", "r7"),
      m("0xd3", "0xz", "r8"),
      m("0xd4", "0xlone", "r9"),
    ]);
    expect([...r.deposits.keys()]).toEqual(["0xd1", "0xd2", "0xd3", "0xd4"]);
    expect(r.senders).toEqual(["0xc", "0xa", "0xb", "0xz", "0xlone"]);
    expect(r.members).toEqual([
      { address: "0xc", root: "0xa" },
      { address: "0xa", root: "0xa" },
      { address: "0xz", root: "0xa" },
    ]);
    expect(r.merges).toEqual([
      { a: "0xa", b: "0xc", txid: "r2", deposit: "0xd1", forwardTxid: "f-0xd1" },
      { a: "0xz", b: "0xa", txid: "r8", deposit: "0xd3", forwardTxid: "f-0xd3" },
    ]);
  });
});
