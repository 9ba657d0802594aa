/**
 * The demo's story, on a signed mainnet-format Bitcoin devchain and on a local anvil node. The
 * exchanges and the terror-financing wallets are real addresses from the bundled label set (OFAC SDN,
 * Israel NBCTF, GraphSense exchange packs); every transaction is made up.
 */
import { Interface } from "ethers";
import { DevChain } from "../devchain/bitcoin.ts";
import { type AnvilNode, DEV_ACCOUNTS, USDT_ARTIFACT } from "../devchain/evm.ts";
import { TronDevChain, USDT_CONTRACT } from "../devchain/tron.ts";

/** Real labelled addresses the demo money reaches. */
export const DEMO_LABELLED = {
  /** OFAC SDN "Buy Cash Money and Money Transfer Company" (SDGT), also on an NBCTF seizure order. */
  btcTerror: "19D1iGzDr7FyAdiy3ZZdxMd6ttHj1kj6WW",
  /** GraphSense exchange TagPack: binance reserve wallet. */
  btcExchangeA: "34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo",
  /** GraphSense exchange TagPack: bitfinex cold wallet. */
  btcExchangeB: "3JZq4atUahhuA9rLhXLMhhTo133J9rF97j",
  /** OFAC SDN "Gaza Now" (SDGT), also on NBCTF seizure order ASO 2/24. */
  evmTerror: "0x21b8d56bda776bbe68655a16895afd96f5534fed",
  /** Israel NBCTF seizure order ASO 18/26 (a Tron wallet). */
  tronTerror: "TPQrYqxT2ss3BSq5VrAdX9FyrC11Sb4PH2",
} as const;

export interface BtcDemo {
  chain: DevChain;
  /** The address the investigator starts from (seen on a darknet market listing). */
  flagged: string;
  /** The vendor's receiving addresses (one owner; the consolidation proves it). */
  vendorAddresses: string[];
  txids: {
    consolidation: string;
    peel1: string;
    peel2: string;
    peel3: string;
    coinjoin: string;
    cashout: string;
  };
}

/**
 * A darknet drug vendor: six buyer payments to three addresses, consolidated in one multi-input
 * transaction, peeled in three hops (to an exchange, to an OFAC-listed terror financier, to a shop),
 * the rest mixed in a five-party equal-output CoinJoin, and the mixed coin cashed out at a second
 * exchange. Amounts in satoshi.
 */
export function buildBtcDemo(): BtcDemo {
  const c = new DevChain({ seed: "fundtrace-demo" });
  const vendor = c.wallet("vendor", "p2wpkh");
  const v1 = vendor.newAddress();
  const v2 = vendor.newAddress();
  const v3 = vendor.newAddress("p2tr");
  const payments: [string, bigint][] = [
    [v1, 31_000_000n],
    [v2, 27_000_000n],
    [v1, 45_000_000n],
    [v3, 22_000_000n],
    [v2, 38_000_000n],
    [v3, 37_000_000n],
  ];
  const paid = payments.map(([to, value], i) => {
    const buyer = c.wallet(`buyer${i}`, i % 2 ? "p2pkh" : "p2wpkh");
    const coin = c.fund(buyer.newAddress(), value + 250_000n + BigInt(i) * 1_111n);
    const t = c.send({
      from: [coin],
      to: [{ address: to, value }],
      fee: 2_000n,
      changeAddress: buyer.address(),
    });
    if (i % 2 === 1) c.mine();
    return t.outputs[0]!;
  });
  c.mine();
  const hoard = vendor.newAddress();
  const consolidation = c.send({
    from: paid,
    to: [{ address: hoard, value: 199_990_000n }],
    fee: 10_000n,
  });
  c.mine();
  const peel = (from: (typeof consolidation.outputs)[number], to: string, value: bigint) => {
    const change = vendor.newAddress();
    const t = c.send({
      from: [from],
      to: [
        { address: to, value },
        { address: change, value: from.value - value - 5_000n },
      ],
      fee: 5_000n,
    });
    c.mine();
    return t;
  };
  const peel1 = peel(consolidation.outputs[0]!, DEMO_LABELLED.btcExchangeA, 80_000_000n);
  const peel2 = peel(peel1.outputs[1]!, DEMO_LABELLED.btcTerror, 25_000_000n);
  const shop = c.wallet("shop").newAddress();
  const peel3 = peel(peel2.outputs[1]!, shop, 14_975_000n);
  // Five parties, 79,990,000 sat each after a 10,000 sat fee share; the vendor's coin goes first.
  const share = 79_990_000n;
  const vendorCoin = peel3.outputs[1]!;
  const others = [93_000_000n, 110_000_000n, 87_500_000n, 150_000_000n].map((v, i) =>
    c.fund(c.wallet(`mixer${i}`).newAddress(), v),
  );
  c.mine();
  const mixed = vendor.newAddress();
  const coinjoin = c.send({
    from: [vendorCoin, ...others],
    to: [
      { address: mixed, value: share },
      ...others.map((_, i) => ({ address: c.wallet(`mixer${i}`).newAddress(), value: share })),
      ...others.map((u, i) => ({
        address: c.wallet(`mixer${i}`).newAddress(),
        value: u.value - share - 10_000n,
      })),
    ],
    fee: 50_000n,
  });
  c.mine();
  const cashout = c.send({
    from: [coinjoin.outputs[0]!],
    to: [{ address: DEMO_LABELLED.btcExchangeB, value: share - 5_000n }],
    fee: 5_000n,
  });
  c.mine();
  c.mineMany(3);
  return {
    chain: c,
    flagged: v1,
    vendorAddresses: [v1, v2, v3],
    txids: {
      consolidation: consolidation.txid,
      peel1: peel1.txid,
      peel2: peel2.txid,
      peel3: peel3.txid,
      coinjoin: coinjoin.txid,
      cashout: cashout.txid,
    },
  };
}

export interface EvmDemo {
  token: string;
  vendor: string;
  broker: string;
  txids: { toBroker: string; toTerror: string };
}

const USDT = (n: number) => BigInt(n) * 10n ** 6n;

/**
 * A USDT-like token (6 decimals) on anvil: three buyers pay the vendor 5,000 USDT, the vendor moves it
 * to an OTC broker that also holds 5,000 clean USDT, and the broker sends 4,000 to "Gaza Now" (OFAC
 * SDGT, NBCTF) and 3,000 to another client. The three taint models disagree here on purpose.
 */
export async function buildEvmDemo(node: AnvilNode): Promise<EvmDemo> {
  const iface = new Interface(USDT_ARTIFACT.abi as never);
  const [deployer, b1, b2, b3, vendor, broker, client] = DEV_ACCOUNTS;
  const send = async (from: string, to: string | null, data: string) => {
    const tx: Record<string, string> = { from, data, gas: "0x186a0" };
    if (to) tx.to = to;
    else tx.gas = "0x2dc6c0";
    const hash = await node.rpc<string>("eth_sendTransaction", [tx]);
    let r: { status: string; contractAddress: string | null } | null = null;
    // automine answers before the block is sealed: wait for the receipt
    for (let i = 0; i < 200 && !r; i++) {
      r = await node.rpc("eth_getTransactionReceipt", [hash]);
      if (!r) await new Promise((ok) => setTimeout(ok, 10));
    }
    if (r?.status !== "0x1") throw new Error(`demo transaction ${hash} failed`);
    return { hash, contract: r.contractAddress };
  };
  const deployed = await send(
    deployer,
    null,
    USDT_ARTIFACT.bytecode + iface.encodeDeploy([USDT(1_000_000)]).slice(2),
  );
  const token = deployed.contract!.toLowerCase();
  const transfer = (from: string, to: string, amount: bigint) =>
    send(from, token, iface.encodeFunctionData("transfer", [to, amount]));
  for (const b of [b1, b2, b3]) await transfer(deployer, b, USDT(10_000));
  await transfer(b1, vendor, USDT(2_500));
  await transfer(b2, vendor, USDT(1_500));
  await transfer(b3, vendor, USDT(1_000));
  const toBroker = await transfer(vendor, broker, USDT(5_000));
  await transfer(deployer, broker, USDT(5_000));
  const toTerror = await transfer(broker, DEMO_LABELLED.evmTerror, USDT(4_000));
  await transfer(broker, client, USDT(3_000));
  // Past the default 12 confirmations, so ingest reads every block.
  await node.rpc("anvil_mine", ["0x10"]);
  return { token, vendor, broker, txids: { toBroker: toBroker.hash, toTerror: toTerror.hash } };
}

export interface TronDemo {
  chain: TronDevChain;
  /** USDT-TRC20's real contract. */
  token: string;
  /** The fake "USDT" (same symbol and name, another contract) sent to the collector as spam. */
  fakeToken: string;
  collector: string;
  layers: [string, string];
  txids: { toLayer1: string; toLayer2: string; toTerror: string; spam: string };
}

/**
 * USDT-TRC20 donations: five donors pay a collector 10,000 USDT; a spammer sends it 10 fake "USDT"
 * (address poisoning); the collector moves 6,000 to a first layer that already held 6,000 clean USDT
 * from an OTC desk; the first layer sends 8,000 to a second, which pays all 8,000 to an NBCTF-listed
 * wallet. The taint models disagree at the end on purpose (poison 8,000, haircut 4,000, FIFO 2,000).
 */
export function buildTronDemo(): TronDemo {
  const c = new TronDevChain({ seed: "fundtrace-demo-tron" });
  const n = (x: string) => c.address(x);
  const issuer = n("issuer");
  const collector = n("collector");
  const layers: [string, string] = [n("layer1"), n("layer2")];
  const otc = n("otc-desk");
  const spammer = n("spammer");
  const donors = [1_200, 800, 2_500, 1_500, 4_000].map((v, i) => [n(`donor${i}`), v] as const);
  c.fund(issuer, 10n ** 12n);
  const usdt = c.addToken({ contract: USDT_CONTRACT, symbol: "USDT", name: "Tether USD", decimals: 6 });
  const fake = c.addToken({ symbol: "USDT", name: "Tether USD", decimals: 6 });
  for (const a of [collector, ...layers, otc, spammer, ...donors.map(([d]) => d)])
    c.sendTrx(issuer, a, 200_000_000n);
  for (const [d, v] of donors) c.mintToken(usdt, issuer, d, USDT(v));
  c.mintToken(usdt, issuer, otc, USDT(6_000));
  c.mintToken(fake, issuer, spammer, USDT(1_000_000));
  c.mine();
  for (const [d, v] of donors) {
    c.sendToken(usdt, d, collector, USDT(v));
    c.mine();
  }
  const spam = c.sendToken(fake, spammer, collector, USDT(10));
  c.sendToken(usdt, otc, layers[0], USDT(6_000));
  c.mine({ skipSlots: 1 });
  const toLayer1 = c.sendToken(usdt, collector, layers[0], USDT(6_000));
  c.mine();
  const toLayer2 = c.sendToken(usdt, layers[0], layers[1], USDT(8_000));
  c.mine();
  const toTerror = c.sendToken(usdt, layers[1], DEMO_LABELLED.tronTerror, USDT(8_000));
  c.mine();
  // Past the default 12 confirmations, so ingest reads every block.
  c.mineEmpty(16);
  return {
    chain: c,
    token: usdt.contract,
    fakeToken: fake.contract,
    collector,
    layers,
    txids: { toLayer1, toLayer2, toTerror, spam },
  };
}
