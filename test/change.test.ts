import { describe, expect, it } from "vitest";
import { parseEsploraTx } from "../adapters/esplora/index.ts";
import {
  type ChangeContext,
  type ChangeGuess,
  type ChangeHeuristic,
  changeContextFromTxs,
  changeHeuristics,
  txFingerprint,
} from "../src/core/change.ts";
import { type AddressType, DevChain } from "../src/devchain/bitcoin.ts";
import type { UtxoTx } from "../src/domain.ts";

const utxoTx = (chain: DevChain, txid: string): UtxoTx => parseEsploraTx(chain.esploraTx(txid));

/** What the store would know: every tx of the devchain, in chain order. */
const contextOf = (chain: DevChain): ChangeContext =>
  changeContextFromTxs(chain.esploraTxs().map((t) => parseEsploraTx(t)));

const fresh = (chain: DevChain, name: string, type: AddressType = "p2wpkh") =>
  chain.wallet(name).newAddress(type);

/** The guesses of one heuristic, as [vout, confidence] pairs. */
function of(guesses: ChangeGuess[], h: ChangeHeuristic): [number, number][] {
  return guesses.filter((g) => g.heuristic === h).map((g) => [g.vout, g.confidence]);
}

/** A wallet pays one recipient from one funded coin; returns the tx and all guesses for it. */
function payment(
  seed: string,
  opts: {
    fund?: bigint[];
    pay: bigint;
    fee?: bigint;
    to?: (chain: DevChain) => string;
    change?: (chain: DevChain, from: string) => string;
    type?: AddressType;
  },
) {
  const chain = new DevChain({ seed });
  const from = chain.wallet("wallet").newAddress(opts.type ?? "p2wpkh");
  const coins = (opts.fund ?? [1_000_000n]).map((v) => chain.fund(from, v));
  chain.mine();
  const to = opts.to ? opts.to(chain) : fresh(chain, "merchant");
  const changeAddress = opts.change ? opts.change(chain, from) : chain.wallet("wallet").newAddress(opts.type);
  const sent = chain.send({
    from: coins,
    to: [{ address: to, value: opts.pay }],
    fee: opts.fee ?? 1_234n,
    changeAddress,
  });
  chain.mine();
  const tx = utxoTx(chain, sent.txid);
  return { chain, tx, guesses: changeHeuristics(tx, contextOf(chain)), change: changeAddress };
}

describe("address reuse", () => {
  it("an output back to an input address is change at 95, listed before weaker guesses", () => {
    const { guesses, change } = payment("reuse", { pay: 300_000n, change: (_c, from) => from });
    expect(guesses).toEqual([
      {
        vout: 1,
        address: change,
        heuristic: "address-reuse",
        confidence: 95,
        reason: `pays input address ${change} back`,
      },
      expect.objectContaining({ vout: 1, heuristic: "round-payment", confidence: 50 }),
    ]);
  });

  it("does not fire when change goes to a fresh address", () => {
    const { guesses } = payment("no-reuse", { pay: 300_000n });
    expect(of(guesses, "address-reuse")).toEqual([]);
  });
});

describe("one-time change", () => {
  it("the only new same-type output, the payee used before: 70", () => {
    const { tx, guesses, change } = payment("otc", {
      pay: 250_000n,
      to: (chain) => {
        const shop = fresh(chain, "shop");
        chain.fund(shop, 5_000n); // the shop's address received before
        chain.mine();
        return shop;
      },
    });
    expect(tx.outputs[1]!.address).toBe(change);
    expect(of(guesses, "one-time-change")).toEqual([[1, 70]]);
  });

  it("the payee is new but of another script type: 60", () => {
    const { guesses } = payment("otc-type", { pay: 250_000n, to: (chain) => fresh(chain, "shop", "p2pkh") });
    expect(of(guesses, "one-time-change")).toEqual([[1, 60]]);
  });

  it("does not fire when two outputs are new and of the inputs' type, or change returns to an input", () => {
    expect(of(payment("otc-two", { pay: 250_000n }).guesses, "one-time-change")).toEqual([]);
    const back = payment("otc-back", {
      pay: 250_000n,
      to: (chain) => fresh(chain, "shop", "p2tr"),
      change: (_c, from) => from,
    });
    expect(of(back.guesses, "one-time-change")).toEqual([]);
  });
});

describe("round payment", () => {
  it("payment of 0.05 BTC, change not round: 65 on the change", () => {
    const { guesses } = payment("round", { fund: [9_000_000n], pay: 5_000_000n });
    expect(of(guesses, "round-payment")).toEqual([[1, 65]]);
    expect(guesses.find((g) => g.heuristic === "round-payment")!.reason).toBe(
      "3998766 sat is the only non-round amount; payments 5000000 sat",
    );
  });

  it("payment of 0.0123 BTC: 50", () => {
    expect(of(payment("round-4", { fund: [2_000_000n], pay: 1_230_000n }).guesses, "round-payment")).toEqual([
      [1, 50],
    ]);
  });

  it("does not fire when the payment is not round or the change happens to be round", () => {
    expect(of(payment("round-no", { pay: 123_456n }).guesses, "round-payment")).toEqual([]);
    expect(of(payment("round-both", { pay: 300_000n, fee: 1_000n }).guesses, "round-payment")).toEqual([]);
  });
});

describe("optimal change", () => {
  it("the only output below the smallest input: 50", () => {
    const { guesses } = payment("optimal", { fund: [300_000n, 200_000n], pay: 420_000n, fee: 1_000n });
    expect(of(guesses, "optimal-change")).toEqual([[1, 50]]);
  });

  it("does not fire with one input or when no single output is below every input", () => {
    expect(of(payment("optimal-one", { fund: [500_000n], pay: 420_000n }).guesses, "optimal-change")).toEqual(
      [],
    );
    const both = payment("optimal-none", { fund: [300_000n, 200_000n], pay: 250_000n, fee: 1_000n });
    expect(both.tx.outputs.map((o) => o.value)).toEqual([250_000n, 249_000n]);
    expect(of(both.guesses, "optimal-change")).toEqual([]);
  });
});

describe("fee pattern (wallet fingerprint of the spending txs)", () => {
  const legacy = { version: 1, locktime: 0, sequence: 0xffffffff };
  type Style = { version?: number; locktime?: number; sequence?: number };

  /**
   * A wallet spends twice from address A: first with `history`'s style, then the tx under test in the
   * legacy style (v1, locktime 0, no RBF). Afterwards it spends its change legacy-style and the merchant
   * spends the payment with `merchant`'s style (or not at all).
   */
  function scenario(seed: string, history: Style, merchant: Style | null) {
    const chain = new DevChain({ seed });
    const w = chain.wallet("wallet");
    const A = w.newAddress();
    const [u1, u2] = [chain.fund(A, 600_000n), chain.fund(A, 900_000n)];
    chain.mine();
    chain.send({
      from: [u1],
      to: [{ address: fresh(chain, "x"), value: 100_000n }],
      fee: 500n,
      changeAddress: w.newAddress(),
      ...history,
    });
    chain.mine();
    const m = chain.wallet("merchant");
    const t = chain.send({
      from: [u2],
      to: [{ address: m.newAddress(), value: 300_000n }],
      fee: 700n,
      changeAddress: w.newAddress(),
      ...legacy,
    });
    chain.mine();
    chain.send({
      from: [t.change!],
      to: [{ address: fresh(chain, "y"), value: 100_000n }],
      fee: 500n,
      changeAddress: w.newAddress(),
      ...legacy,
    });
    if (merchant) {
      chain.send({
        from: [t.outputs[0]!],
        to: [{ address: fresh(chain, "z"), value: 200_000n }],
        fee: 500n,
        changeAddress: m.newAddress(),
        ...merchant,
      });
    }
    chain.mine();
    const tx = utxoTx(chain, t.txid);
    return { tx, guesses: changeHeuristics(tx, contextOf(chain)) };
  }

  it("change spent like the wallet always spends, the payment spent otherwise: 65", () => {
    const { tx, guesses } = scenario("fp", legacy, {}); // the merchant's wallet: v2 + RBF
    expect(txFingerprint(tx)).toEqual({ txid: tx.txid, version: 1, locktime: 0, rbf: false });
    expect(of(guesses, "fee-pattern")).toEqual([[1, 65]]);
    expect(guesses.find((g) => g.heuristic === "fee-pattern")!.reason).toBe(
      "spent like the wallet's 1 other txs (version 1, locktime zero, no RBF); another output's spender differs",
    );
  });

  it("the payment not spent yet: 40", () => {
    expect(of(scenario("fp-unspent", legacy, null).guesses, "fee-pattern")).toEqual([[1, 40]]);
  });

  it("does not fire when the wallet's history differs or both outputs are spent alike", () => {
    expect(of(scenario("fp-history", {}, {}).guesses, "fee-pattern")).toEqual([]);
    expect(of(scenario("fp-same", legacy, legacy).guesses, "fee-pattern")).toEqual([]);
  });
});

describe("skipped transactions", () => {
  it("coinbase and CoinJoin transactions give no guesses", () => {
    const chain = new DevChain({ seed: "skip" });
    const d = 5_000_000n;
    const a = chain.wallet("a").newAddress();
    const coins = [
      chain.fund(a, 5_600_000n),
      chain.fund(fresh(chain, "b"), 6_100_000n),
      chain.fund(fresh(chain, "c"), 7_000_000n),
    ];
    chain.mine();
    // a JoinMarket-shaped join where one maker even sends its change back to its input address
    const cj = chain.send({
      from: coins,
      to: [
        { address: fresh(chain, "a"), value: d },
        { address: fresh(chain, "b"), value: d },
        { address: fresh(chain, "c"), value: d },
        { address: a, value: 600_100n },
        { address: fresh(chain, "b"), value: 1_100_100n },
        { address: fresh(chain, "c"), value: 1_997_800n },
      ],
      fee: 2_000n,
    });
    chain.mine();
    const ctx = contextOf(chain);
    const tx = utxoTx(chain, cj.txid);
    expect(changeHeuristics(tx, ctx)).toEqual([]);
    const coinbase = utxoTx(chain, chain.blockAtHeight(chain.tipHeight)!.txids[0]!);
    expect(changeHeuristics(coinbase, ctx)).toEqual([]);
  });
});

describe("changeContextFromTxs", () => {
  it("first receipt and spends per address", () => {
    const { chain, tx, change } = payment("ctx", { pay: 300_000n, change: (_c, from) => from });
    const ctx = contextOf(chain);
    const from = tx.inputs[0]!.address!;
    expect(ctx.firstSeen(from)!.txid).toBe(tx.inputs[0]!.prevTxid);
    expect(ctx.firstSeen(tx.outputs[0]!.address!)).toEqual({ txid: tx.txid, height: tx.block!.height });
    expect(ctx.spentTxsOf(change).map((f) => f.txid)).toEqual([tx.txid]);
    expect(ctx.spentTxsOf(tx.outputs[0]!.address!)).toEqual([]);
    expect(txFingerprint(tx).rbf).toBe(true); // devchain default nSequence 0xfffffffd
  });
});
