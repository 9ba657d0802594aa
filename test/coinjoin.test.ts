import { describe, expect, it } from "vitest";
import { parseEsploraTx } from "../adapters/esplora/index.ts";
import { detectCoinJoin, isCollaborative, WASABI2_DENOMINATIONS } from "../src/core/coinjoin.ts";
import { type AddressType, DevChain, type Utxo } from "../src/devchain/bitcoin.ts";
import type { UtxoTx } from "../src/domain.ts";

/** The signed devchain tx as the store sees it: Esplora JSON through the adapter's mapping. */
function utxoTx(chain: DevChain, txid: string): UtxoTx {
  return parseEsploraTx(chain.esploraTx(txid));
}

/** One funded coin per value, each at a fresh address of its own wallet (one owner per coin). */
function coins(
  chain: DevChain,
  prefix: string,
  values: readonly bigint[],
  type: AddressType = "p2wpkh",
): Utxo[] {
  const out = values.map((v, i) => chain.fund(chain.wallet(`${prefix}${i}`).newAddress(type), v));
  chain.mine();
  return out;
}

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);

/** Sends exactly: the fee is whatever the outputs leave, so there is no implicit change output. */
function join(
  chain: DevChain,
  inputs: Utxo[],
  to: { address?: string; script?: string; value: bigint }[],
  opts: { sequence?: number; version?: number } = {},
): UtxoTx {
  const fee = sum(inputs.map((u) => u.value)) - sum(to.map((o) => o.value));
  const sent = chain.send({ from: inputs, to, fee, ...opts });
  chain.mine();
  return utxoTx(chain, sent.txid);
}

const fresh = (chain: DevChain, name: string, type: AddressType = "p2wpkh") =>
  chain.wallet(name).newAddress(type);

describe("Whirlpool", () => {
  it("detects a 5x5 mix at the 0.01 BTC pool: 2 remixers, 3 new entrants", () => {
    const chain = new DevChain({ seed: "whirlpool-mix" });
    const d = 1_000_000n;
    const inputs = coins(chain, "wp", [d, d, d + 170n, d + 250n, d + 310n]);
    const tx = join(
      chain,
      inputs,
      inputs.map((_, i) => ({ address: fresh(chain, `wp${i}`), value: d })),
    );
    const m = detectCoinJoin(tx);
    expect(m).toMatchObject({ kind: "whirlpool-mix", confidence: 95 });
    expect(m!.reason).toContain("2 remixers, 3 new entrants");
    expect(isCollaborative("whirlpool-mix")).toBe(true);
  });

  it("does not call a 5x5 at a non-pool value, or before Whirlpool existed, a mix", () => {
    const chain = new DevChain({ seed: "whirlpool-neg" });
    const inputs = coins(chain, "x", [1_234_567n, 1_234_567n, 1_234_900n, 1_235_000n, 1_235_100n]);
    const tx = join(
      chain,
      inputs,
      inputs.map((_, i) => ({ address: fresh(chain, `x${i}`), value: 1_234_567n })),
    );
    expect(detectCoinJoin(tx)).toBeNull();

    // every input a new entrant: a real mix always has a remixer (an input of exactly d)
    const d = 1_000_000n;
    const fresh5 = coins(chain, "y", [d + 100n, d + 170n, d + 250n, d + 310n, d + 400n]);
    const noRemix = join(
      chain,
      fresh5,
      fresh5.map((_, i) => ({ address: fresh(chain, `y${i}`), value: d })),
    );
    expect(detectCoinJoin(noRemix)).toBeNull();

    const old = new DevChain({ seed: "whirlpool-old", startHeight: 560_000 });
    const oldIn = coins(old, "o", [d, d, d + 170n, d + 250n, d + 310n]);
    const oldTx = join(
      old,
      oldIn,
      oldIn.map((_, i) => ({ address: fresh(old, `o${i}`), value: d })),
    );
    expect(oldTx.block!.height).toBeLessThan(570_000);
    expect(detectCoinJoin(oldTx)).toBeNull();
  });

  it("detects a Tx0: premix outputs at d + ε, the pool fee, change and an OP_RETURN", () => {
    const chain = new DevChain({ seed: "whirlpool-tx0" });
    const deposit = chain.wallet("deposit", "p2wpkh");
    const premix = chain.wallet("premix", "p2wpkh");
    const u = [chain.fund(deposit.newAddress(), 3_000_000n), chain.fund(deposit.newAddress(), 2_000_000n)];
    chain.mine();
    const opReturn = "6a40" + "ab".repeat(64); // OP_RETURN <64-byte masked fee payload>
    const sent = chain.send({
      from: u,
      to: [
        ...Array.from({ length: 4 }, () => ({ address: premix.newAddress(), value: 1_000_170n })),
        { address: fresh(chain, "samourai-fees"), value: 50_000n },
        { script: opReturn, value: 0n },
      ],
      fee: 1_200n,
      changeAddress: deposit.newAddress(),
    });
    chain.mine();
    const tx = utxoTx(chain, sent.txid);
    expect(tx.outputs.map((o) => o.scriptType)).toContain("op_return");
    const m = detectCoinJoin(tx);
    expect(m).toMatchObject({ kind: "whirlpool-tx0", confidence: 85 });
    expect(m!.reason).toContain("4 premix outputs of 1000170 sat");
    // a Tx0 spends one wallet's coins: common-input ownership still holds
    expect(isCollaborative("whirlpool-tx0")).toBe(false);
  });
});

describe("Wasabi", () => {
  it("detects a Wasabi 1.x round: 30 equal ~0.1 BTC outputs, change, coordinator fee, a 1.1 mixing level", () => {
    const chain = new DevChain({ seed: "wasabi1" });
    const d = 9_993_000n; // within the ±0.02 BTC tolerance around 0.1 BTC
    const n = 30;
    const coordFee = 30_000n;
    const minerFee = 700n;
    // participants 0 and 1 also mix at level 1 (2·d), as Wasabi 1.1 allowed
    const mixed = (i: number) => (i < 2 ? 3n * d : d);
    const values = Array.from(
      { length: n },
      (_, i) => mixed(i) + coordFee + minerFee + 100_000n + BigInt(i) * 13_579n,
    );
    const inputs = coins(chain, "ww", values);
    const to: { address: string; value: bigint }[] = [];
    values.forEach((v, i) => {
      to.push({ address: fresh(chain, `ww${i}`), value: d });
      if (i < 2) to.push({ address: fresh(chain, `ww${i}`), value: 2n * d });
      to.push({ address: fresh(chain, `ww${i}`), value: v - mixed(i) - coordFee - minerFee });
    });
    to.push({ address: fresh(chain, "zksnacks"), value: coordFee * BigInt(n) });
    const tx = join(chain, inputs, to);
    expect(tx.inputs).toHaveLength(30);
    expect(tx.fee).toBe(minerFee * BigInt(n));
    expect(tx.outputs.every((o) => o.scriptType === "v0_p2wpkh")).toBe(true);
    const m = detectCoinJoin(tx);
    expect(m).toMatchObject({ kind: "wasabi-1", confidence: 90 });
    expect(m!.reason).toContain("30 equal outputs of 9993000 sat");
    expect(m!.reason).toContain("mixing levels: 2x level 1");
  });

  it("detects an early Wasabi 1 round by its fixed coordinator address", () => {
    const chain = new DevChain({ seed: "wasabi1-coord" });
    const d = 10_000_000n;
    const inputs = coins(chain, "c", [10_300_000n, 10_400_000n, 10_500_000n]);
    const tx = join(chain, inputs, [
      ...inputs.map((_, i) => ({ address: fresh(chain, `c${i}`), value: d })),
      ...inputs.map((u, i) => ({ address: fresh(chain, `c${i}`), value: u.value - d - 31_000n })),
      { address: "bc1qs604c7jv6amk4cxqlnvuxv26hv3e48cds4m0ew", value: 90_000n },
    ]);
    const m = detectCoinJoin(tx);
    expect(m).toMatchObject({ kind: "wasabi-1", confidence: 99 });
    expect(m!.reason).toContain("bc1qs604c7jv6amk4cxqlnvuxv26hv3e48cds4m0ew");
  });

  it("detects a WabiSabi round: 60 segwit/taproot inputs, descending order, standard denominations", () => {
    const chain = new DevChain({ seed: "wasabi2" });
    const outs = [
      ...Array(6).fill(4_782_969n), // 3^14
      ...Array(8).fill(2_097_152n), // 2^21
      ...Array(10).fill(1_000_000n),
      ...Array(12).fill(531_441n), // 3^12
      ...Array(9).fill(262_144n), // 2^18
      ...Array(6).fill(200_000n),
      ...Array(4).fill(131_072n),
      123_456n, // a leftover that is no denomination
      ...Array(5).fill(39_366n), // 2·3^9
      ...Array(3).fill(10_000n),
    ] as bigint[];
    expect(outs.every((v) => v === 123_456n || WASABI2_DENOMINATIONS.has(v))).toBe(true);
    const fee = 60_000n;
    const total = sum(outs) + fee;
    // 60 distinct input values, strictly descending, summing to the total
    const base = Array.from({ length: 60 }, (_, i) => 200_000n + BigInt(59 - i) * 20_000n);
    base[0] = base[0]! + total - sum(base);
    const inputs = base.map((v, i) =>
      chain.fund(chain.wallet(`ws${i % 20}`).newAddress(i % 3 === 0 ? "p2tr" : "p2wpkh"), v),
    );
    chain.mine();
    // WalletWasabi signs rounds as version 1, locktime 0, final sequences (SigningState)
    const wasabi = { sequence: 0xffffffff, version: 1 };
    const tx = join(
      chain,
      inputs,
      outs.map((v, i) => ({ address: fresh(chain, `ws${i % 20}`, i % 2 ? "p2tr" : "p2wpkh"), value: v })),
      wasabi,
    );
    expect(tx.inputs.map((i) => i.scriptType)).toEqual(expect.arrayContaining(["v1_p2tr", "v0_p2wpkh"]));
    const m = detectCoinJoin(tx);
    expect(m).toMatchObject({ kind: "wasabi-2", confidence: 95 });
    expect(m!.reason).toContain("60 inputs");

    // the same coins in a non-descending order are not a WabiSabi transaction
    const chain2 = new DevChain({ seed: "wasabi2-unsorted" });
    const inputs2 = base.map((v, i) => chain2.fund(chain2.wallet(`u${i % 20}`).newAddress(), v)).reverse();
    chain2.mine();
    const tx2 = join(
      chain2,
      inputs2,
      outs.map((v, i) => ({ address: fresh(chain2, `u${i % 20}`), value: v })),
      wasabi,
    );
    expect(detectCoinJoin(tx2)).toBeNull();
  });
});

describe("JoinMarket", () => {
  it("detects a taker with 3 makers: 4 equal outputs, 4 change outputs, 5 inputs", () => {
    const chain = new DevChain({ seed: "joinmarket" });
    const d = 5_000_000n;
    const cjfee = 250n;
    const [t1, t2, m1, m2, m3] = coins(chain, "jm", [
      3_100_000n,
      2_400_000n,
      7_300_000n,
      6_200_000n,
      9_100_000n,
    ]);
    const taker = [t1!, t2!];
    const makers = [m1!, m2!, m3!];
    const txfee = 2_000n;
    const takerChange = t1!.value + t2!.value - d - 3n * cjfee - txfee;
    const tx = join(
      chain,
      [...taker, ...makers],
      [
        { address: fresh(chain, "jm0"), value: d },
        { address: fresh(chain, "jm2"), value: d },
        { address: fresh(chain, "jm3"), value: d },
        { address: fresh(chain, "jm4"), value: d },
        { address: fresh(chain, "jm0"), value: takerChange },
        ...makers.map((u, i) => ({ address: fresh(chain, `jm${i + 2}`), value: u.value - d + cjfee })),
      ],
    );
    const m = detectCoinJoin(tx);
    expect(m).toMatchObject({ kind: "joinmarket", confidence: 70 });
    expect(m!.reason).toBe("4 equal outputs of 5000000 sat and 4 change outputs from 5 inputs");
  });

  it("reports a two-party 2-in/4-out join as JoinMarket (the literal generic rule needs an odd output count)", () => {
    const chain = new DevChain({ seed: "jm2" });
    const [a, b] = coins(chain, "p", [1_500_000n, 1_300_000n]);
    const tx = join(
      chain,
      [a!, b!],
      [
        { address: fresh(chain, "p0"), value: 1_000_000n },
        { address: fresh(chain, "p1"), value: 1_000_000n },
        { address: fresh(chain, "p0"), value: 499_000n },
        { address: fresh(chain, "p1"), value: 299_500n },
      ],
    );
    expect(detectCoinJoin(tx)).toMatchObject({ kind: "joinmarket", confidence: 55 });
  });
});

describe("generic equal-output rule (BlockSci isCoinjoin, literal)", () => {
  it("matches 2 inputs, 3 outputs, 2 equal non-dust outputs", () => {
    const chain = new DevChain({ seed: "generic" });
    // one 0.3 BTC input is more than any single participant gets back, so it is no JoinMarket shape
    const [a, b] = coins(chain, "g", [30_000_000n, 5_000_000n]);
    const tx = join(
      chain,
      [a!, b!],
      [
        { address: fresh(chain, "g0"), value: 10_000_000n },
        { address: fresh(chain, "g1"), value: 10_000_000n },
        { address: fresh(chain, "g0"), value: 14_000_000n },
      ],
    );
    const m = detectCoinJoin(tx);
    expect(m).toMatchObject({ kind: "equal-output", confidence: 50 });
    expect(m!.reason).toContain("2 of 3 outputs are 10000000 sat");
  });

  it("does not match an even output count, dust equal outputs, or a single input", () => {
    const chain = new DevChain({ seed: "generic-neg" });
    const [a, b, c, d, e] = coins(chain, "n", [30_000_000n, 5_000_000n, 400_000n, 300_000n, 900_000n]);
    const even = join(
      chain,
      [a!, b!],
      [
        { address: fresh(chain, "n0"), value: 10_000_000n },
        { address: fresh(chain, "n1"), value: 10_000_000n },
        { address: fresh(chain, "n0"), value: 7_000_000n },
        { address: fresh(chain, "n1"), value: 6_000_000n },
      ],
    );
    expect(detectCoinJoin(even)).toBeNull();
    const dust = join(
      chain,
      [c!, d!],
      [
        { address: fresh(chain, "n2"), value: 545n },
        { address: fresh(chain, "n3"), value: 545n },
        { address: fresh(chain, "n2"), value: 690_000n },
      ],
    );
    expect(detectCoinJoin(dust)).toBeNull();
    const single = join(
      chain,
      [e!],
      [
        { address: fresh(chain, "n4"), value: 200_000n },
        { address: fresh(chain, "n5"), value: 200_000n },
        { address: fresh(chain, "n4"), value: 490_000n },
      ],
    );
    expect(detectCoinJoin(single)).toBeNull();
  });
});

describe("ordinary transactions are not CoinJoins", () => {
  const chain = new DevChain({ seed: "plain" });
  const owner = chain.wallet("owner", "p2wpkh");
  const exchange = chain.wallet("exchange", "p2sh-p2wpkh");
  const own = [500_000n, 300_000n, 200_000n].map((v) => chain.fund(owner.newAddress(), v));
  const hot = [9_000_000n, 8_000_000n].map((v) => chain.fund(exchange.newAddress(), v));
  chain.mine();

  it("multi-input payments from one owner (3-in/2-out, 2-in/1-out)", () => {
    const pay = chain.send({
      from: own,
      to: [{ address: fresh(chain, "shop"), value: 900_000n }],
      fee: 1_500n,
      changeAddress: owner.newAddress(),
    });
    const sweep = chain.send({
      from: hot,
      to: [{ address: fresh(chain, "cold"), value: 16_990_000n }],
      fee: 10_000n,
    });
    chain.mine();
    expect(utxoTx(chain, pay.txid).outputs).toHaveLength(2);
    expect(detectCoinJoin(utxoTx(chain, pay.txid))).toBeNull();
    expect(detectCoinJoin(utxoTx(chain, sweep.txid))).toBeNull();
  });

  it("a batch payout with distinct values and a plain 2-output payment", () => {
    const [u1, u2] = [
      chain.fund(exchange.newAddress(), 50_000_000n),
      chain.fund(exchange.newAddress(), 40_000_000n),
    ];
    const u3 = chain.fund(owner.newAddress(), 1_000_000n);
    chain.mine();
    const batch = chain.send({
      from: [u1, u2],
      to: [1_200_000n, 3_400_000n, 560_000n, 7_800_000n, 910_000n].map((value, i) => ({
        address: fresh(chain, `customer${i}`),
        value,
      })),
      fee: 6_000n,
      changeAddress: exchange.newAddress(),
    });
    const pay = chain.send({
      from: [u3],
      to: [{ address: fresh(chain, "merchant"), value: 400_000n }],
      fee: 700n,
      changeAddress: owner.newAddress(),
    });
    chain.mine();
    expect(utxoTx(chain, batch.txid).outputs).toHaveLength(6);
    expect(detectCoinJoin(utxoTx(chain, batch.txid))).toBeNull();
    expect(detectCoinJoin(utxoTx(chain, pay.txid))).toBeNull();
  });

  it("a coinbase transaction", () => {
    const cb = chain.blockAtHeight(chain.tipHeight)!.txids[0]!;
    const tx = utxoTx(chain, cb);
    expect(tx.inputs[0]!.isCoinbase).toBe(true);
    expect(detectCoinJoin(tx)).toBeNull();
  });
});
