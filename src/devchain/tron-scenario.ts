/**
 * The Tron scenario the adapter tests run against: every kind of value move TronGrid lists (TRX,
 * TRC-10, TRC-20 with several logs in one call, internal TRX from a contract), what moves nothing
 * (an approval, a reverted USDT transfer, a reverted call carrying TRX, a freeze), fake "USDT" sent
 * as spam, a transfer above 2^53 sun, several transactions per block, missed slots, and one address
 * whose history spans many pages.
 */
import type { AccountTransfer } from "../domain.ts";
import { TronDevChain, type TronToken, USDT_CONTRACT } from "./tron.ts";

export interface TronScenario {
  chain: TronDevChain;
  tip: { height: number; hash: string };
  addresses: Record<
    "faucet" | "issuer" | "alice" | "bob" | "carol" | "dave" | "spammer" | "splitter",
    string
  >;
  usdt: TronToken;
  fakeUsdt: TronToken;
  trc10: string;
  /** Addresses whose expected rows the contract suite checks. */
  tracked: string[];
  bigValue: { txid: string; to: string; value: bigint };
  /** A reverted call carrying TRX, sent by alice. */
  failed: { txid: string; from: string };
  /** A reverted USDT transfer from alice to bob. */
  revertedUsdt: string;
  spam: string;
  windowAddress: string;
  expected(address: string): AccountTransfer[];
}

const TRX = 1_000_000n;
const USD = 1_000_000n;

export function buildTronScenario(opts: { seed?: string; windowTransfers?: number } = {}): TronScenario {
  const c = new TronDevChain({ seed: opts.seed ?? "tron-scenario" });
  const n = (x: string) => c.address(x);
  const addresses = {
    faucet: n("faucet"),
    issuer: n("issuer"),
    alice: n("alice"),
    bob: n("bob"),
    carol: n("carol"),
    dave: n("dave"),
    spammer: n("spammer"),
    splitter: c.addContract("splitter"),
  };
  const { faucet, issuer, alice, bob, carol, dave, spammer, splitter } = addresses;
  c.fund(faucet, 10n ** 17n);
  c.fund(issuer, 1000n * TRX);
  const usdt = c.addToken({ contract: USDT_CONTRACT, symbol: "USDT", name: "Tether USD", decimals: 6 });
  // address poisoning: same symbol and name, another contract
  const fakeUsdt = c.addToken({ symbol: "USDT", name: "Tether USD", decimals: 6 });
  const trc10 = c.addTrc10({
    abbr: "BTTOLD",
    name: "BitTorrent",
    precision: 6,
    owner: issuer,
    supply: 10n ** 12n,
  });
  c.mineEmpty(2);

  for (const [to, v] of [
    [alice, 1000n],
    [bob, 500n],
    [carol, 200n],
    [dave, 2000n],
    [spammer, 100n],
  ] as const)
    c.sendTrx(faucet, to, v * TRX);
  c.mine();
  c.mintToken(usdt, issuer, alice, 10_000n * USD);
  c.mintToken(usdt, issuer, dave, 10_000n * USD);
  c.mintToken(fakeUsdt, issuer, spammer, 1_000_000n * USD);
  c.mine({ skipSlots: 1 });
  c.sendToken(usdt, alice, bob, 250n * USD);
  c.sendTrx(alice, carol, 100n * TRX);
  c.sendTrx(bob, carol, 10n * TRX, { freeBandwidth: true });
  c.mine();
  const spam = c.sendToken(fakeUsdt, spammer, alice, 1_000n * USD);
  c.approve(usdt, alice, bob, 5_000n * USD);
  c.mine({ skipSlots: 2 });
  const revertedUsdt = c.sendToken(usdt, alice, bob, 9_999_999n * USD, { revert: true });
  c.callWithValue(alice, splitter, 50n * TRX, [
    [bob, 20n * TRX],
    [carol, 30n * TRX],
  ]);
  c.mine();
  const failed = c.callWithValue(alice, splitter, 10n * TRX, [[bob, 10n * TRX]], { revert: true });
  c.mine();
  const big = 12_345_678_901_234_567n;
  const bigTx = c.sendTrx(faucet, alice, big);
  c.mine();
  c.multiTransfer(usdt, alice, [
    [bob, 1n * USD],
    [carol, 2n * USD],
  ]);
  c.sendTrc10(issuer, alice, trc10.id, 5_000n * USD);
  c.mine();
  c.sendTrc10(alice, bob, trc10.id, 1_000n * USD);
  c.freeze(bob, 100n * TRX);
  c.mine({ skipSlots: 3 });
  // dave: a history of many pages, several per block
  const w = opts.windowTransfers ?? 45;
  for (let i = 0; i < w; i++) {
    if (i % 3 === 0) c.sendToken(usdt, dave, i % 2 ? bob : carol, BigInt(i + 1) * USD);
    else c.sendTrx(dave, i % 2 ? bob : carol, BigInt(i + 1) * TRX);
    if (i % 4 === 3) c.mine();
  }
  c.mine();
  c.mineEmpty(2);
  return {
    chain: c,
    tip: { height: c.head.number, hash: c.head.blockID },
    addresses,
    usdt,
    fakeUsdt,
    trc10: trc10.id,
    tracked: [alice, bob, carol, dave, spammer, splitter],
    bigValue: { txid: bigTx, to: alice, value: big },
    failed: { txid: failed, from: alice },
    revertedUsdt,
    spam,
    windowAddress: dave,
    expected: (a) => c.expected(a),
  };
}

export interface BusyAccount {
  chain: TronDevChain;
  /** The account with a long history. */
  hub: string;
  usdt: TronToken;
  fakeUsdt: TronToken;
  /** Token transfers touching the hub (USDT both ways and the spam). */
  tokenTransfers: number;
  revertedUsdt: string;
}

/**
 * One account with a long history: `tokenTransfers` USDT transfers in and out (mixed with TRX, five
 * transactions a block, a missed slot now and then), a fake-USDT spam transfer and a reverted USDT call.
 */
export function buildBusyAccount(o: { tokenTransfers: number; seed?: string }): BusyAccount {
  const c = new TronDevChain({ seed: o.seed ?? "tron-busy" });
  const issuer = c.address("issuer");
  const hub = c.address("hub");
  c.fund(issuer, 10n ** 15n);
  const usdt = c.addToken({ contract: USDT_CONTRACT, symbol: "USDT", name: "Tether USD", decimals: 6 });
  const fakeUsdt = c.addToken({ symbol: "USDT", name: "Tether USD", decimals: 6 });
  const payers = Array.from({ length: 25 }, (_, i) => c.address(`payer${i}`));
  for (const p of payers) {
    c.sendTrx(issuer, p, 5_000n * TRX);
    c.mintToken(usdt, issuer, p, 10n ** 12n);
  }
  c.sendTrx(issuer, hub, 100_000n * TRX);
  c.mintToken(fakeUsdt, issuer, payers[0]!, 10n ** 12n);
  c.mine();
  let tokens = 0;
  let revertedUsdt = "";
  for (let i = 0; tokens < o.tokenTransfers; i++) {
    const p = payers[i % payers.length]!;
    const v = BigInt(1 + ((i * 7919) % 5000)) * 10_000n;
    if (i % 3 === 2 && c.tokenBalance(usdt.contract, hub) > v)
      c.sendToken(usdt, hub, c.address(`payee${i % 40}`), v);
    else c.sendToken(usdt, p, hub, v);
    tokens++;
    if (i % 9 === 4) c.sendTrx(hub, c.address(`payee${i % 40}`), BigInt(1 + (i % 13)) * TRX);
    if (i % 11 === 6) c.sendTrx(p, hub, BigInt(2 + (i % 5)) * TRX);
    if (i === 50) {
      c.sendToken(fakeUsdt, payers[0]!, hub, 1_000n * USD);
      tokens++;
    }
    if (i === 60) revertedUsdt = c.sendToken(usdt, hub, payers[1]!, 10n ** 15n, { revert: true });
    if (i % 5 === 4) c.mine({ skipSlots: i % 45 === 4 ? 2 : 0 });
  }
  c.mine();
  c.mineEmpty(2);
  return { chain: c, hub, usdt, fakeUsdt, tokenTransfers: tokens, revertedUsdt };
}
