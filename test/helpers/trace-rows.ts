/** Row builders and scenarios shared by the trace tests (small numbers keep the arithmetic readable). */
import { createHash } from "node:crypto";
import fc from "fast-check";
import type { AccountTransfer, TransferKind, UtxoTx } from "../../src/domain.ts";

export interface Labels {
  categories: readonly string[];
  labels: readonly string[];
}
export const hash = (name: string) => createHash("sha256").update(name).digest("hex");

export interface Ref {
  txid: string;
  vout: number;
  address: string;
  value: bigint;
}

/** A tiny UTXO chain: each tx is one block; spentBy filled from the inputs of later txs. */
export class Btc {
  readonly txs: UtxoTx[] = [];
  private height = 800_000;
  readonly names = new Map<string, string>();

  /** Coinbase-funded output (its input has no address: nothing to follow backwards). */
  fund(name: string, address: string, value: bigint): Ref {
    return this.tx(name, [], [[address, value]])[0]!;
  }

  tx(name: string, ins: Ref[], outs: [string, bigint][]): Ref[] {
    const txid = hash(name);
    this.names.set(txid, name);
    const sumIn = ins.reduce((s, r) => s + r.value, 0n);
    const sumOut = outs.reduce((s, [, v]) => s + v, 0n);
    if (ins.length > 0 && sumOut > sumIn) throw new Error(`${name}: outputs exceed inputs`);
    this.txs.push({
      chain: "bitcoin",
      txid,
      block: { height: this.height, hash: hash(`block${this.height}`), time: 1_700_000_000 + this.height },
      fee: ins.length > 0 ? sumIn - sumOut : 0n,
      size: null,
      weight: null,
      version: 2,
      locktime: 0,
      inputs:
        ins.length > 0
          ? ins.map((r, vin) => ({
              vin,
              prevTxid: r.txid,
              prevVout: r.vout,
              address: r.address,
              value: r.value,
              scriptType: "v0_p2wpkh",
              isCoinbase: false,
              sequence: 0xffffffff,
            }))
          : [
              {
                vin: 0,
                prevTxid: null,
                prevVout: null,
                address: null,
                value: 0n,
                scriptType: null,
                isCoinbase: true,
                sequence: null,
              },
            ],
      outputs: outs.map(([address, value], vout) => ({ vout, address, value, scriptType: "v0_p2wpkh" })),
    });
    this.height++;
    return outs.map(([address, value], vout) => ({ txid, vout, address, value }));
  }

  rows(): UtxoTx[] {
    const spender = new Map<string, { txid: string; vin: number }>();
    for (const tx of this.txs)
      for (const i of tx.inputs)
        if (i.prevTxid) spender.set(`${i.prevTxid}:${i.prevVout}`, { txid: tx.txid, vin: i.vin });
    return this.txs.map((tx) => ({
      ...tx,
      outputs: tx.outputs.map((o) => ({ ...o, spentBy: spender.get(`${tx.txid}:${o.vout}`) ?? null })),
    }));
  }

  addresses(): string[] {
    const s = new Set<string>();
    for (const tx of this.txs) {
      for (const o of tx.outputs) if (o.address) s.add(o.address);
      for (const i of tx.inputs) if (i.address) s.add(i.address);
    }
    return [...s];
  }
}

export interface Move {
  from: string;
  to: string | null;
  value: bigint;
  asset?: string;
  kind?: TransferKind;
  success?: boolean;
  decimals?: number;
}

export const USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7";

/** A tiny account chain: each tx is one block; `fee` adds a fee row paid by the first mover. */
export class Eth {
  readonly rows: AccountTransfer[] = [];
  block = 19_000_000;
  private txIndex = 0;

  /** `sameBlock`: the transaction goes into the previous one's block, at the next index. */
  tx(name: string, moves: Move[], fee = 0n, sameBlock = false): string {
    const txid = `0x${hash(name)}`;
    const block = sameBlock && this.rows.length > 0 ? this.block - 1 : this.block++;
    this.txIndex = sameBlock ? this.txIndex + 1 : 0;
    const txIndex = this.txIndex;
    const seqs = new Map<TransferKind, number>();
    const all: Move[] =
      fee > 0n ? [{ from: moves[0]!.from, to: null, value: fee, kind: "fee" }, ...moves] : moves;
    for (const m of all) {
      const kind = m.kind ?? (m.asset && m.asset !== "ETH" ? "token" : "native");
      const seq = seqs.get(kind) ?? 0;
      seqs.set(kind, seq + 1);
      this.rows.push({
        chain: "ethereum",
        txid,
        kind,
        seq,
        blockNumber: block,
        blockHash: hash(`b${block}`),
        blockTime: 1_700_000_000 + block,
        txIndex,
        logIndex: kind === "token" ? seq : null,
        traceAddress: null,
        from: m.from,
        to: m.to,
        asset: m.asset ?? "ETH",
        symbol: m.asset === USDT ? "USDT" : (m.asset ?? "ETH") === "ETH" ? "ETH" : null,
        decimals: m.asset === USDT ? 6 : (m.asset ?? "ETH") === "ETH" ? 18 : (m.decimals ?? null),
        value: m.value,
        success: m.kind === "fee" ? true : (m.success ?? true),
      });
    }
    return txid;
  }

  addresses(): string[] {
    const s = new Set<string>();
    for (const r of this.rows) {
      s.add(r.from);
      if (r.to) s.add(r.to);
    }
    return [...s];
  }
}

export const L = (category: string, label = category): Labels => ({
  categories: [category],
  labels: [label],
});

/**
 * A holds 1 BTC. T1 peels 0.1 to exchange X1; T2 merges the change with a clean 0.1001 BTC of K
 * and peels 0.2 to X2; T3 peels 0.3 to X3; C3 keeps the rest. X1 later sends its coins to Y.
 */
export function peelChain() {
  const b = new Btc();
  const a = b.fund("fundA", "A", 100_000_000n);
  const k = b.fund("fundK", "K", 10_010_000n);
  const [x1, c1] = b.tx(
    "T1",
    [a],
    [
      ["X1", 10_000_000n],
      ["C1", 89_990_000n],
    ],
  ); // fee 10_000
  b.tx("X1spend", [x1!], [["Y", 10_000_000n]]);
  const [, c2] = b.tx(
    "T2",
    [c1!, k],
    [
      ["X2", 20_000_000n],
      ["C2", 79_990_000n],
    ],
  ); // in 89_990_000 (tainted) + 10_010_000 (clean) = 100_000_000, fee 10_000
  b.tx(
    "T3",
    [c2!],
    [
      ["X3", 30_000_000n],
      ["C3", 49_980_000n],
    ],
  ); // in 79_990_000, fee 10_000
  const labels = new Map([
    ["X1", L("exchange", "Binance")],
    ["X2", L("exchange", "Kraken")],
    ["X3", L("exchange", "Coinbase")],
  ]);
  return { b, labels };
}

/** 5 × 1 BTC in (A's is vin 2), 5 × 0.99 BTC out; M3 -> G (gambling), M4 -> E1, M1 -> E2 (exchanges). */
export function coinJoin() {
  const b = new Btc();
  const ins = ["P0", "P1", "A", "P3", "P4"].map((p) => b.fund(`fund${p}`, p, 100_000_000n));
  const outs = b.tx(
    "CJ",
    ins,
    ["M0", "M1", "M2", "M3", "M4"].map((m) => [m, 99_000_000n] as [string, bigint]),
  ); // fee 5_000_000
  b.tx("M1spend", [outs[1]!], [["E2", 99_000_000n]]);
  b.tx("M2spend", [outs[2]!], [["G", 99_000_000n]]);
  b.tx("M3spend", [outs[3]!], [["E1", 99_000_000n]]);
  const labels = new Map([
    ["E1", L("exchange")],
    ["E2", L("exchange")],
    ["G", L("gambling", "SatoshiDice")],
  ]);
  return { b, labels };
}

/** A splits 1 BTC to B1 (0.4), B2 (0.3), B3 (0.3); T2 merges K's clean 1 BTC + B1..B3 into Z. */
export function fanOutIn() {
  const b = new Btc();
  const a = b.fund("fundA", "A", 100_000_000n);
  const k = b.fund("fundK", "K", 100_000_000n);
  const bs = b.tx(
    "T1",
    [a],
    [
      ["B1", 40_000_000n],
      ["B2", 30_000_000n],
      ["B3", 30_000_000n],
    ],
  );
  b.tx("T2", [k, ...bs], [["Z", 199_990_000n]]); // fee 10_000
  const labels = new Map([["Z", L("sanction", "OFAC SDN")]]);
  return { b, labels };
}

/**
 * A -> B (T1); B -> C 0.6 + change 0.4 back to B (T2); C -> B 0.3 + A 0.3 (T3);
 * B spends both its tainted outputs to exchange D (T4); A spends the returned 0.3 to exchange E (T5).
 */
export function cycle() {
  const b = new Btc();
  const a = b.fund("fundA", "A", 100_000_000n);
  const [b1] = b.tx("T1", [a], [["B", 100_000_000n]]);
  const [c, bChange] = b.tx(
    "T2",
    [b1!],
    [
      ["C", 60_000_000n],
      ["B", 40_000_000n],
    ],
  );
  const [cb, ca] = b.tx(
    "T3",
    [c!],
    [
      ["B", 30_000_000n],
      ["A", 30_000_000n],
    ],
  );
  b.tx("T4", [bChange!, cb!], [["D", 70_000_000n]]);
  b.tx("T5", [ca!], [["E", 30_000_000n]]);
  return {
    b,
    labels: new Map([
      ["D", L("exchange")],
      ["E", L("exchange")],
    ]),
  };
}

/**
 * S -> A 1000 (A is the start). A sends M 200 and 300 (fee 5 each); K1 and K2 send M clean value.
 * M: b1 K1 300 in; b2 A 200 in; b3 out 100 to X; b4 K2 400 in; b5 A 300 in;
 *    b6 out 500 to Y (fee 10); b7 out 250 to Z. Then Y forwards all 500 to W.
 */
export function accountChain() {
  const e = new Eth();
  e.tx("s-a", [{ from: "S", to: "A", value: 1000n }]); // b0
  e.tx("k1-m", [{ from: "K1", to: "M", value: 300n }]); // b1
  e.tx("a-m1", [{ from: "A", to: "M", value: 200n }], 5n); // b2
  e.tx("m-x", [{ from: "M", to: "X", value: 100n }]); // b3
  e.tx("k2-m", [{ from: "K2", to: "M", value: 400n }]); // b4
  e.tx("a-m2", [{ from: "A", to: "M", value: 300n }], 5n); // b5
  e.tx("m-y", [{ from: "M", to: "Y", value: 500n }], 10n); // b6
  e.tx("m-z", [{ from: "M", to: "Z", value: 250n }]); // b7
  e.tx("y-w", [{ from: "Y", to: "W", value: 500n }]); // b8
  const labels = new Map([
    ["X", L("exchange")],
    ["Y", L("terrorism_financing", "NBCTF 1/24")],
    ["Z", L("gambling")],
    ["W", L("exchange")],
    ["S", L("exchange", "Bitfinex")],
  ]);
  return { e, labels };
}

export interface TxSpec {
  ins: number[];
  outs: { addr: number; w: number }[];
  fee: number;
}

export const utxoDagArb = fc.record({
  funds: fc.array(
    fc.record({ addr: fc.integer({ min: 0, max: 5 }), value: fc.integer({ min: 1, max: 400 }) }),
    {
      minLength: 2,
      maxLength: 5,
    },
  ),
  txs: fc.array(
    fc.record({
      ins: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
      outs: fc.array(fc.record({ addr: fc.integer({ min: 0, max: 5 }), w: fc.integer({ min: 1, max: 9 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
      fee: fc.integer({ min: 0, max: 30 }),
    }),
    { minLength: 1, maxLength: 9 },
  ),
});

/** Builds a valid DAG: every tx spends unspent outputs; start address "a0" always funded first. */
export function buildDag(
  spec: { funds: { addr: number; value: number }[]; txs: TxSpec[] },
  payStart: boolean,
): Btc {
  const b = new Btc();
  const pool: Ref[] = [b.fund("f-start", "a0", 500n)];
  spec.funds.forEach((f, i) => {
    pool.push(b.fund(`f${i}`, `a${f.addr}`, BigInt(f.value)));
  });
  spec.txs.forEach((t, n) => {
    const ins: Ref[] = [];
    for (const k of t.ins) {
      if (pool.length === 0) break;
      ins.push(pool.splice(k % pool.length, 1)[0]!);
    }
    if (ins.length === 0) return;
    const sumIn = ins.reduce((s, r) => s + r.value, 0n);
    const outs = t.outs.filter((o) => payStart || o.addr !== 0);
    if (outs.length === 0 || sumIn < BigInt(outs.length)) {
      pool.push(...ins);
      return;
    }
    let fee = BigInt(t.fee);
    if (sumIn - fee < BigInt(outs.length)) fee = 0n;
    const spend = sumIn - fee;
    const wsum = BigInt(outs.reduce((s, o) => s + o.w, 0));
    const values = outs.map((o) => 1n + ((spend - BigInt(outs.length)) * BigInt(o.w)) / wsum);
    values[0]! += spend - values.reduce((s, v) => s + v, 0n);
    pool.push(
      ...b.tx(
        `t${n}`,
        ins,
        outs.map((o, j) => [`a${o.addr}`, values[j]!] as [string, bigint]),
      ),
    );
  });
  return b;
}

export const accountArb = fc.array(
  fc.record({
    from: fc.integer({ min: 0, max: 4 }),
    to: fc.integer({ min: 0, max: 4 }),
    value: fc.integer({ min: 1, max: 60 }),
    token: fc.boolean(),
    fee: fc.integer({ min: 0, max: 3 }),
    ok: fc.integer({ min: 0, max: 9 }),
  }),
  { minLength: 1, maxLength: 11 },
);

export function buildAccount(
  moves: { from: number; to: number; value: number; token: boolean; fee: number; ok: number }[],
): Eth {
  const e = new Eth();
  e.tx("fund", [
    { from: "src", to: "a0", value: 100n },
    { from: "src", to: "a0", value: 100n, asset: USDT },
  ]);
  moves.forEach((m, n) => {
    e.tx(
      `m${n}`,
      [
        {
          from: `a${m.from}`,
          to: `a${m.to}`,
          value: BigInt(m.value),
          asset: m.token ? USDT : "ETH",
          success: m.ok !== 0,
        },
      ],
      BigInt(m.fee),
    );
  });
  return e;
}
