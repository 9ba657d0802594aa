import { parseEsploraTx } from "../../adapters/esplora/index.ts";
import {
  ADDRESS_TYPES,
  DevChain,
  type Recipient,
  type Utxo,
  type Wallet,
} from "../../src/devchain/bitcoin.ts";
import { prng } from "../../src/devchain/evm-faults.ts";
import type { UtxoTx } from "../../src/domain.ts";

/** How a wallet builds its transactions (what the fee-pattern heuristic looks at). */
interface Style {
  version: number;
  locktime: number;
  sequence: number;
}

const STYLES: Style[] = [
  { version: 2, locktime: 0, sequence: 0xfffffffd },
  { version: 1, locktime: 0, sequence: 0xffffffff },
  { version: 2, locktime: 800_000, sequence: 0xfffffffe },
];

/**
 * Seeded random wallet activity on a devchain: payments with round and odd amounts, fresh, reused and
 * back-to-input change, sweeps without change, spends of unconfirmed change (several txs of one block
 * paying one address), wallets of different styles, now and then a CoinJoin-shaped tx and a reorg.
 * Returns every transaction the chain knows (confirmed and in the mempool) in the store's model.
 */
export function randomActivity(seed: number, opts: { wallets?: number; txs?: number } = {}) {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const chain = new DevChain({ seed: `activity-${seed}` });
  const wallets: { w: Wallet; style: Style }[] = Array.from({ length: opts.wallets ?? 6 }, (_, i) => ({
    w: chain.wallet(`w${i}`, ADDRESS_TYPES[i % ADDRESS_TYPES.length]),
    style: STYLES[i % STYLES.length]!,
  }));
  for (const { w } of wallets) {
    for (let k = 0; k < 3; k++) {
      const to = rand() < 0.3 ? w.address() : w.newAddress();
      chain.fund(to, 200_000n + BigInt(Math.floor(rand() * 5_000_000)));
    }
  }
  chain.mine();
  const spent = new Set<string>();
  const key = (u: Utxo) => `${u.txid}:${u.vout}`;
  const coinsOf = (w: Wallet) =>
    w.utxos({ includeUnconfirmed: true }).filter((u) => !spent.has(key(u)) && u.value > 20_000n);
  const n = opts.txs ?? 40;
  for (let t = 0; t < n; t++) {
    if (rand() < 0.08)
      coinJoin(
        chain,
        wallets.map((x) => x.w),
        coinsOf,
        spent,
        rand,
      );
    else {
      const payer = pick(wallets);
      const coins = coinsOf(payer.w);
      if (coins.length === 0) continue;
      const from = coins.slice(0, 1 + Math.floor(rand() * Math.min(3, coins.length)));
      const total = from.reduce((s, u) => s + u.value, 0n);
      const fee = 500n + BigInt(Math.floor(rand() * 1500));
      const payee = pick(wallets).w;
      const to = rand() < 0.3 ? payee.address() : payee.newAddress(pick(ADDRESS_TYPES));
      const style = rand() < 0.85 ? payer.style : pick(STYLES);
      const sweep = rand() < 0.1;
      const value = sweep ? total - fee : amount(total - fee, rand);
      if (value <= 546n) continue;
      const change = rand() < 0.15 ? from[0]!.address! : rand() < 0.2 ? payer.w.address() : undefined;
      for (const u of from) spent.add(key(u));
      chain.send({
        from,
        to: [{ address: to, value }],
        fee,
        changeAddress: change ?? payer.w.newAddress(rand() < 0.8 ? undefined : pick(ADDRESS_TYPES)),
        ...style,
      });
    }
    if (rand() < 0.3) chain.mine();
    if (rand() < 0.03 && chain.tipHeight > chain.startHeight + 2) {
      chain.reorg(1);
      chain.mine();
    }
  }
  chain.mine();
  // a few txs left unconfirmed
  const last = pick(wallets);
  const coins = coinsOf(last.w);
  if (coins.length > 0) {
    spent.add(key(coins[0]!));
    chain.send({
      from: [coins[0]!],
      to: [{ address: pick(wallets).w.newAddress(), value: 10_000n }],
      fee: 700n,
      changeAddress: last.w.newAddress(),
    });
  }
  const txs: UtxoTx[] = chain.esploraTxs().map((x) => parseEsploraTx(x));
  return { chain, txs };
}

/** A payment below `max`: a third round to 0.0001 BTC, a sixth to 0.01 BTC, the rest odd. */
function amount(max: bigint, rand: () => number): bigint {
  const v = (max * BigInt(Math.floor(rand() * 900) + 50)) / 1000n;
  const r = rand();
  if (r < 1 / 6 && v >= 1_000_000n) return (v / 1_000_000n) * 1_000_000n;
  if (r < 1 / 2 && v >= 10_000n) return (v / 10_000n) * 10_000n;
  return v;
}

/** Three or more wallets put in one coin each and take equal outputs back, with change. */
function coinJoin(
  chain: DevChain,
  wallets: Wallet[],
  coinsOf: (w: Wallet) => Utxo[],
  spent: Set<string>,
  rand: () => number,
): void {
  const d = 100_000n;
  const parts = wallets
    .map((w) => ({ w, c: coinsOf(w).find((u) => u.value > d + 5_000n) }))
    .filter((p) => p.c);
  if (parts.length < 3) return;
  const use = parts.slice(0, 3 + Math.floor(rand() * (parts.length - 2)));
  const to: Recipient[] = [];
  for (const p of use) to.push({ address: p.w.newAddress("p2wpkh"), value: d });
  for (const p of use) to.push({ address: p.w.newAddress(), value: p.c!.value - d - 1_000n });
  for (const p of use) spent.add(`${p.c!.txid}:${p.c!.vout}`);
  chain.send({ from: use.map((p) => p.c!), to, fee: BigInt(use.length) * 1_000n });
}
