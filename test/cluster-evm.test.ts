import { join } from "node:path";
import {
  type Contract,
  ContractFactory,
  type HDNodeWallet,
  Interface,
  JsonRpcProvider,
  Network,
  type TransactionRequest,
  Wallet,
} from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { type AnvilNode, startAnvil, USDT_ARTIFACT } from "../src/devchain/evm.ts";
import {
  DepositClusterer,
  type DepositClusterResult,
  parseDepositHeuristic,
} from "../src/services/deposit.ts";
import { createServices, type Services } from "../src/services/index.ts";
import { tempDir } from "./helpers/tmp.ts";

const dir = tempDir();
const ETH = 10n ** 18n;
const USDT = 10n ** 6n;
const GAS_PRICE = 2_000_000_000n;
const usdtIface = new Interface(USDT_ARTIFACT.abi as never);

let node: AnvilNode;
let provider: JsonRpcProvider;
let s: Services;
let clusterer: DepositClusterer;

// Every actor is a fresh key; the test funds it with anvil_setBalance (no transfer row) or a payment.
const names = [
  "hot", // Test Exchange hot wallet (labelled exchange)
  "cold", // Test Exchange cold wallet (labelled exchange): pays gas and a withdrawal to deposit addresses
  "a1",
  "a2",
  "d1", // customer A's deposit address: ETH from a1 and a2, swept to hot
  "treasury", // deploys the token
  "b1",
  "d2", // customer B's deposit address: tokens from b1, forwarded exactly to hot
  "c1",
  "d3", // forwards one token unit less than it received: no deposit address
  "e1",
  "e2",
  "e", // forwards part to hot and part elsewhere: no deposit address
  "g1",
  "g2",
  "g3",
  "g", // sweeps to hot exactly, then pays someone else: forwarding is not its only behaviour
  "x", // someone else
  "w", // funds p1 and p2
  "p1", // p1 and p2 pay hot directly; hot then sweeps exactly that to cold
  "p2",
] as const;
type Name = (typeof names)[number];
const wallet = {} as Record<Name, HDNodeWallet>;
const addr = {} as Record<Name, string>;
const txid: Record<string, string> = {};
let token: string;

async function send(from: Name, req: TransactionRequest): Promise<string> {
  // legacy gas price: the fee is exactly gasUsed * GAS_PRICE, so a sweep can empty the account
  const tx = await wallet[from].sendTransaction({ type: 0, gasPrice: GAS_PRICE, ...req });
  const r = await tx.wait(); // automine answers before the block is in; wait for the receipt
  if (r?.status !== 1) throw new Error(`tx ${tx.hash} from ${from} failed`);
  return tx.hash;
}
const pay = (from: Name, to: Name, value: bigint) => send(from, { to: addr[to], value, gasLimit: 21_000n });
const payToken = (from: Name, to: Name, value: bigint) =>
  send(from, {
    to: token,
    data: usdtIface.encodeFunctionData("transfer", [addr[to], value]),
    gasLimit: 100_000n,
  });
/** Sends everything but the fee of a plain transfer. */
const sweep = async (from: Name, to: Name) =>
  pay(from, to, (await provider.getBalance(addr[from])) - 21_000n * GAS_PRICE);
const mine = (n: number) => node.rpc("anvil_mine", [`0x${n.toString(16)}`]);
const setBalance = (n: Name, wei: bigint) => node.rpc("anvil_setBalance", [addr[n], `0x${wei.toString(16)}`]);

beforeAll(async () => {
  node = await startAnvil();
  provider = new JsonRpcProvider(node.url, undefined, {
    staticNetwork: Network.from(node.chainId),
    cacheTimeout: -1,
  });
  for (const n of names) {
    wallet[n] = Wallet.createRandom().connect(provider);
    addr[n] = wallet[n].address.toLowerCase();
  }
  for (const n of [
    "hot",
    "cold",
    "a1",
    "a2",
    "treasury",
    "b1",
    "c1",
    "e1",
    "e2",
    "g1",
    "g2",
    "g3",
    "w",
  ] as const)
    await setBalance(n, 10n * ETH);

  // direct payments to the exchange, swept on to cold: the exchange is never a deposit address
  await pay("w", "p1", 2n * ETH);
  await pay("w", "p2", 2n * ETH);
  await pay("p1", "hot", ETH / 2n);
  await pay("p2", "hot", (ETH * 3n) / 10n);
  await pay("hot", "cold", (ETH * 8n) / 10n);

  // customer A: two accounts pay D1, which is swept a few blocks later; a withdrawal from the
  // exchange to D1 is swept too but does not make the exchange a customer
  txid.a1 = await pay("a1", "d1", ETH);
  await mine(2);
  txid.a2 = await pay("a2", "d1", ETH / 2n);
  await mine(4);
  await pay("cold", "d1", ETH / 5n);
  txid.d1 = await sweep("d1", "hot");

  // customer B: tokens into D2, the exchange pays D2's gas, D2 forwards exactly that amount
  const factory = new ContractFactory(USDT_ARTIFACT.abi as never, USDT_ARTIFACT.bytecode, wallet.treasury);
  const c = (await factory.deploy(1_000_000n * USDT, { type: 0, gasPrice: GAS_PRICE })) as Contract;
  token = (await c.getAddress()).toLowerCase();
  await c.waitForDeployment();
  await payToken("treasury", "b1", 500n * USDT);
  await payToken("treasury", "c1", 500n * USDT);
  txid.b1 = await payToken("b1", "d2", 250n * USDT);
  await pay("cold", "d2", ETH / 1000n);
  await mine(3);
  txid.d2 = await payToken("d2", "hot", 250n * USDT);

  // one token unit short is not "the received amount"
  await payToken("c1", "d3", 100n * USDT);
  await pay("cold", "d3", ETH / 1000n);
  await payToken("d3", "hot", 100n * USDT - 1n);

  // E: part to the exchange, part elsewhere
  await pay("e1", "e", ETH);
  await pay("e2", "e", ETH / 2n);
  await pay("e", "hot", (ETH * 7n) / 10n);
  await pay("e", "x", (ETH * 7n) / 10n);

  // G: a clean sweep of g1 + g2, but then G pays someone else within the window
  await pay("g1", "g", ETH);
  await pay("g2", "g", ETH / 2n);
  await sweep("g", "hot");
  await pay("g3", "g", ETH / 2n);
  await pay("g", "x", ETH / 10n);

  const labels = [
    "chain,address,label,category,source,confidence,program,reference,cluster_defining",
    `anvil,${addr.hot},Test Exchange hot wallet,exchange,test,50,,,false`,
    `anvil,${addr.cold},Test Exchange cold wallet,exchange,test,50,,,false`,
  ].join("\n");
  s = await createServices(
    loadConfig(
      { db: join(dir, "evm.duckdb"), defaultLabels: false, evmRpcUrl: node.url },
      {
        FUNDTRACE_EVM_CONFIRMATIONS: "0",
        FUNDTRACE_RPS: "2000",
        FUNDTRACE_RETRY_BASE_MS: "2",
        FUNDTRACE_HTTP_TIMEOUT_MS: "5000",
      },
    ),
  );
  const imported = await s.labels.importBytes(Buffer.from(`${labels}\n`), "x.csv", "csv");
  expect(imported.rows).toBe(2);
  await s.ingest.ingest("anvil", Object.values(addr));
  clusterer = new DepositClusterer(s.store, s.labels);
  // clustered before any test reads the partition (tests that recluster end with the defaults)
  await clusterer.cluster("anvil");
});

afterAll(async () => {
  s?.close();
  provider?.destroy();
  await node?.stop();
});

const detected = (r: DepositClusterResult) => r.depositAddresses.map((d) => d.address).sort();
async function clusterOf(a: Name): Promise<string | undefined> {
  return (await s.clusters.partition("anvil")).get(addr[a]);
}

describe("EVM deposit-address clustering (anvil)", () => {
  it("ingested the token and ETH transfers", async () => {
    const rows = await s.store.sql(
      "SELECT kind, value FROM account_transfers WHERE chain = 'anvil' AND txid = $t ORDER BY kind",
      { t: txid.d2! },
    );
    expect(rows).toContainEqual({ kind: "token", value: 250n * USDT });
  });

  it("detects the sweeping deposit addresses and nothing else", async () => {
    const r = await clusterer.cluster("anvil");
    expect(detected(r)).toEqual([addr.d1, addr.d2].sort());
    for (const d of r.depositAddresses) {
      expect(d).toMatchObject({ exchange: "Test Exchange hot wallet", forwards: 1 });
    }
    expect(r).toMatchObject({ clusters: 1, merges: 1 });
  });

  it("merges the senders of one deposit address, with evidence naming it and the sweep", async () => {
    const a1 = await clusterOf("a1");
    expect(a1).toBeDefined();
    expect(await clusterOf("a2")).toBe(a1);
    const info = await s.clusters.show("anvil", addr.a1);
    expect(info.members).toEqual([addr.a1, addr.a2].sort());
    expect(info.isService).toBe(false);
    expect(info.evidence).toHaveLength(1);
    const ev = info.evidence[0]!;
    expect(ev).toMatchObject({ txid: txid.a2, addresses: [addr.a2, addr.a1], confidence: 80 });
    expect(parseDepositHeuristic(ev.heuristic)).toEqual({ deposit: addr.d1, forwardTxid: txid.d1 });
    expect(ev.heuristic.startsWith("deposit-address:")).toBe(true);
  });

  it("keeps deposit addresses, the exchange and other actors out of the customer clusters", async () => {
    const part = await s.clusters.partition("anvil");
    expect([...part.keys()].sort()).toEqual([addr.a1, addr.a2].sort());
    // B1 is the only sender of D2: a cluster of one
    expect((await s.clusters.show("anvil", addr.b1)).size).toBe(1);
    for (const n of [
      "d1",
      "d2",
      "hot",
      "cold",
      "p1",
      "p2",
      "e1",
      "e2",
      "g1",
      "g2",
      "g3",
      "treasury",
    ] as const) {
      expect(part.has(addr[n]), n).toBe(false);
    }
  });

  it("window and fee bounds are parameters; every run replaces the chain's clusters", async () => {
    // D1's first receipt is 9 blocks before its sweep
    const narrow = await clusterer.cluster("anvil", { windowBlocks: 8 });
    expect(detected(narrow)).toEqual([addr.d2]);
    expect(narrow).toMatchObject({ clusters: 0, merges: 0 });
    expect(await clusterOf("a1")).toBeUndefined();
    expect((await s.store.sql("SELECT count(*)::INTEGER AS n FROM cluster_evidence"))[0]).toEqual({ n: 0 });
    expect(detected(await clusterer.cluster("anvil", { windowBlocks: 9 }))).toEqual(
      [addr.d1, addr.d2].sort(),
    );
    // the sweep paid 21000 * 2 gwei of gas: a smaller allowance misses it, tokens are unaffected
    const fee = 21_000n * GAS_PRICE;
    expect(detected(await clusterer.cluster("anvil", { maxFeeWei: fee - 1n }))).toEqual([addr.d2]);
    expect(detected(await clusterer.cluster("anvil", { maxFeeWei: fee }))).toEqual([addr.d1, addr.d2].sort());
    // an allowance beyond 64 bits binds as HUGEINT; so loose a bound takes P1's and P2's partial
    // payments for sweeps (E and G stay out: they also pay someone else)
    expect(detected(await clusterer.cluster("anvil", { maxFeeWei: 10n ** 30n }))).toEqual(
      [addr.d1, addr.d2, addr.p1, addr.p2].sort(),
    );
    const service = await clusterer.cluster("anvil", { serviceThreshold: 2 });
    expect(service.clusters).toBe(1);
    expect((await s.clusters.show("anvil", addr.a2)).isService).toBe(true);
    await clusterer.cluster("anvil");
    expect(
      (await s.store.sql("SELECT count(*)::INTEGER AS n FROM clusters WHERE chain = 'anvil'"))[0],
    ).toEqual({
      n: 1,
    });
  });

  it("refuses a non-EVM chain and bad options", async () => {
    await expect(clusterer.cluster("bitcoin")).rejects.toThrow(/EVM/);
    await expect(clusterer.cluster("anvil", { windowBlocks: -1 })).rejects.toThrow(/windowBlocks/);
    await expect(clusterer.cluster("anvil", { maxFeeWei: -1n })).rejects.toThrow(/maxFeeWei/);
  });
});
