/**
 * A real local EVM node (anvil) for tests and demos, and a scenario built on it with ethers.
 *
 * The scenario deploys a 6-decimals ERC-20 (like USDT) and ETH forwarders, then makes native,
 * internal (nested, so trace address 0_1 exists), token, failed and 10^24-wei transfers, several
 * per block, plus one address whose history outgrows a small record window. While it runs it keeps
 * its own ledger of what each transaction moves, so tests compare adapters against what happened,
 * never against another adapter. Only what the node decides (block, tx index, log index, gas) is read
 * back from receipts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { Interface } from "ethers";
import { sortTransfers } from "../../adapters/evm/rows.ts";
import type { AccountTransfer } from "../domain.ts";
import { listen } from "../listen.ts";

export const ANVIL_CHAIN_ID = 31337;

/** anvil's default dev accounts (mnemonic "test test ... junk"), unlocked for eth_sendTransaction. */
export const DEV_ACCOUNTS = [
  "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
  "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
  "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
  "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
  "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
  "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
  "0x976ea74026e726554db657fa54763abd0c3a0aa9",
  "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
  "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f",
  "0xa0ee7a142d267c1f36714e4a8f75612f20a79720",
] as const;

// ---------------------------------------------------------------- anvil process

export interface AnvilOptions {
  chainId?: number;
  /** Extra command-line arguments. */
  args?: string[];
  startTimeoutMs?: number;
}

export interface AnvilNode {
  url: string;
  port: number;
  chainId: number;
  /** One JSON-RPC call (no batching, no retries: the harness talks to a local node). */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/** The platform binary of @foundry-rs/anvil (its bin.mjs wrapper would outlive a kill of the child). */
export function anvilBinary(): string {
  const env = process.env.FUNDTRACE_ANVIL_BIN;
  if (env) return env;
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const plat = process.platform;
  const exe = plat === "win32" ? "anvil.exe" : "anvil";
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve(`@foundry-rs/anvil-${plat}-${arch}/package.json`);
    const bin = join(dirname(pkg), "bin", exe);
    if (existsSync(bin)) return bin;
  } catch {
    // not installed for this platform: fall back to PATH
  }
  return exe;
}

/** A port free right now (anvil binds it itself). */
async function freePort(): Promise<number> {
  const probe = await listen(createServer());
  await probe.close();
  return probe.port;
}

async function rpcCall<T>(url: string, method: string, params: unknown[], id = 1): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { code: number; message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message} (${body.error.code})`);
  return body.result as T;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed test run must not leave nodes behind.
  process.once("exit", () => {
    for (const c of live) c.kill("SIGKILL");
  });
}

/** Starts anvil on 127.0.0.1 at a free port (`--silent`), resolves once it answers JSON-RPC. */
export async function startAnvil(opts: AnvilOptions = {}): Promise<AnvilNode> {
  const chainId = opts.chainId ?? ANVIL_CHAIN_ID;
  const timeout = opts.startTimeoutMs ?? 15_000;
  let lastError = "";
  // The port is free when picked but could be taken before anvil binds it: retry a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      anvilBinary(),
      [
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--chain-id",
        String(chainId),
        "--silent",
        ...(opts.args ?? []),
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    installExitHook();
    live.add(child);
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    let exited = false;
    const exitedP = new Promise<void>((r) => child.once("exit", () => r()));
    child.once("exit", () => {
      exited = true;
      live.delete(child);
    });
    child.once("error", (e) => {
      stderr += String(e);
    });
    const deadline = Date.now() + timeout;
    let ready = false;
    while (!exited && Date.now() < deadline) {
      try {
        await rpcCall(url, "eth_chainId", []);
        ready = true;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 40));
      }
    }
    if (ready) {
      let nextId = 1;
      return {
        url,
        port,
        chainId,
        rpc: <T>(method: string, params: unknown[] = []) => rpcCall<T>(url, method, params, nextId++),
        async stop() {
          if (exited) return;
          child.kill("SIGTERM");
          const t = setTimeout(() => child.kill("SIGKILL"), 3000);
          await exitedP;
          clearTimeout(t);
        },
      };
    }
    if (!exited) {
      child.kill("SIGKILL");
      await exitedP;
    }
    lastError = stderr.trim() || "did not answer in time";
  }
  throw new Error(`anvil failed to start: ${lastError}`);
}

// ---------------------------------------------------------------- contracts

interface Artifact {
  contractName: string;
  abi: unknown[];
  bytecode: string;
}

function artifact(name: string): Artifact {
  return JSON.parse(readFileSync(new URL(`./contracts/${name}.json`, import.meta.url), "utf8")) as Artifact;
}

export const USDT_ARTIFACT = artifact("TestUSDT");
export const FORWARDER_ARTIFACT = artifact("Forwarder");
const usdtIface = new Interface(USDT_ARTIFACT.abi as never);
const fwdIface = new Interface(FORWARDER_ARTIFACT.abi as never);

// ---------------------------------------------------------------- scenario

interface RawReceipt {
  transactionHash: string;
  transactionIndex: string;
  blockNumber: string;
  blockHash: string;
  status: string;
  gasUsed: string;
  effectiveGasPrice: string;
  contractAddress: string | null;
  logs: { logIndex: string }[];
}

/** What one transaction is meant to move; positions are filled from the receipt once mined. */
interface Intent {
  hash: string;
  from: string;
  /** The top-level value move (only when value > 0). */
  native?: { to: string; value: bigint };
  /** Value-carrying CALLs below the top level, in trace order. */
  internal: { from: string; to: string; value: bigint; traceAddress: string }[];
  /** ERC-20 Transfer logs in emission order (dropped when the transaction fails). */
  tokens: { token: string; from: string; to: string; value: bigint }[];
  expectFailure: boolean;
}

export interface ScenarioTx {
  hash: string;
  blockNumber: number;
  txIndex: number;
  success: boolean;
}

export interface EvmScenario {
  chain: string;
  chainId: number;
  /** Named actors (lower-case). */
  addresses: {
    deployer: string;
    alice: string;
    bob: string;
    carol: string;
    dave: string;
    whale: string;
    usdt: string;
    forwarder: string;
    innerForwarder: string;
  };
  /** Addresses whose expected rows are known (every actor above except the token contract). */
  tracked: string[];
  token: { address: string; symbol: string; decimals: number };
  /** Every transaction the scenario sent, in chain order. */
  txs: ScenarioTx[];
  /** The 10^24-wei native transfer (to alice). */
  bigValueTxid: string;
  /** The reverting call with value (alice → forwarder.forwardAndRevert). */
  failedTxid: string;
  /** The nested forwarding whose internal transfers have trace addresses 0, 0_0, 0_1, 1. */
  nestedTxid: string;
  /** dave: 30 transactions (12 in one block), 11 internal and 11 token transfers in single transactions. */
  windowAddress: string;
  /** Blocks holding scenario transactions. */
  firstBlock: number;
  lastBlock: number;
  tip: { height: number; hash: string };
  /** Expected rows of an address, in the adapters' order (empty for an unknown address). */
  expected(address: string): AccountTransfer[];
}

export interface ScenarioOptions {
  chain?: string;
  nativeSymbol?: string;
}

const ETH = 10n ** 18n;
const milli = (n: number | bigint) => BigInt(n) * 10n ** 15n;
const GAS = 600_000;

/** Builds the scenario on a fresh anvil; blocks are mined explicitly (automine off) so several txs share one. */
export async function buildEvmScenario(node: AnvilNode, opts: ScenarioOptions = {}): Promise<EvmScenario> {
  const chain = opts.chain ?? "anvil";
  const native = opts.nativeSymbol ?? "ETH";
  const rpc = node.rpc;
  const [deployer, alice, bob, carol, dave, whale, s6, s7, s8, s9] = DEV_ACCOUNTS;
  const intents: Intent[] = [];
  let pending: Intent[] = [];

  await rpc("evm_setAutomine", [false]);
  // mainnet-like block times (12 s apart) rather than several blocks in one second: time windows
  // (--since/--until) then fall between blocks as they do on a real chain
  await rpc("anvil_setBlockTimestampInterval", [12]);
  // Enough to send exactly 10^24 wei (anvil funds dev accounts with 10^22).
  await rpc("anvil_setBalance", [whale, `0x${(2n * 10n ** 24n).toString(16)}`]);

  const send = async (
    from: string,
    to: string | null,
    value: bigint,
    data: string,
    shape: Omit<Intent, "hash" | "from" | "expectFailure"> & { expectFailure?: boolean },
  ): Promise<string> => {
    const tx: Record<string, string> = {
      from,
      value: `0x${value.toString(16)}`,
      gas: `0x${GAS.toString(16)}`,
    };
    if (to) tx.to = to;
    if (data !== "0x") tx.data = data;
    const hash = await rpc<string>("eth_sendTransaction", [tx]);
    const it: Intent = { hash, from, expectFailure: false, ...shape };
    pending.push(it);
    return hash;
  };
  const receipts = new Map<string, RawReceipt>();
  const mine = async () => {
    await rpc("evm_mine", []);
    for (const it of pending) {
      const r = await rpc<RawReceipt | null>("eth_getTransactionReceipt", [it.hash]);
      if (!r) throw new Error(`scenario tx ${it.hash} was not mined`);
      receipts.set(it.hash, r);
      intents.push(it);
    }
    pending = [];
  };
  const nativeTo = (to: string, value: bigint) => (value > 0n ? { native: { to, value } } : {});
  // A fresh object per call: the intent's arrays are filled in later.
  const noMoves = () => ({ internal: [], tokens: [] });

  // Block 1: contracts.
  const supply = 1_000_000n * 10n ** 6n;
  const deployUsdt = await send(
    deployer,
    null,
    0n,
    USDT_ARTIFACT.bytecode + usdtIface.encodeDeploy([supply]).slice(2),
    noMoves(),
  );
  const deployF1 = await send(deployer, null, 0n, FORWARDER_ARTIFACT.bytecode, noMoves());
  const deployF2 = await send(deployer, null, 0n, FORWARDER_ARTIFACT.bytecode, noMoves());
  await mine();
  const usdt = receipts.get(deployUsdt)!.contractAddress!.toLowerCase();
  const f1 = receipts.get(deployF1)!.contractAddress!.toLowerCase();
  const f2 = receipts.get(deployF2)!.contractAddress!.toLowerCase();
  // The constructor's mint is a Transfer log from the zero address.
  intents
    .find((i) => i.hash === deployUsdt)!
    .tokens.push({
      token: usdt,
      from: "0x0000000000000000000000000000000000000000",
      to: deployer,
      value: supply,
    });

  const tokenTransfer = (from: string, to: string, value: bigint) =>
    send(from, usdt, 0n, usdtIface.encodeFunctionData("transfer", [to, value]), {
      internal: [],
      tokens: [{ token: usdt, from, to, value }],
    });
  const batchTransfer = (from: string, tos: string[], values: bigint[]) =>
    send(from, usdt, 0n, usdtIface.encodeFunctionData("batchTransfer", [tos, values]), {
      internal: [],
      tokens: tos.map((to, i) => ({ token: usdt, from, to, value: values[i]! })),
    });
  const pay = (from: string, to: string, value: bigint) =>
    send(from, to, value, "0x", { ...nativeTo(to, value), ...noMoves() });
  const forward = (from: string, fwd: string, tos: string[], values: bigint[]) => {
    const total = values.reduce((a, b) => a + b, 0n);
    return send(from, fwd, total, fwdIface.encodeFunctionData("forward", [tos, values]), {
      ...nativeTo(fwd, total),
      internal: tos.map((to, i) => ({ from: fwd, to, value: values[i]!, traceAddress: String(i) })),
      tokens: [],
    });
  };

  // Block 2: funding.
  await tokenTransfer(deployer, alice, 1000n * 10n ** 6n);
  await tokenTransfer(deployer, bob, 500n * 10n ** 6n);
  await pay(deployer, alice, milli(1500));
  await mine();

  // Block 3: several kinds in one block.
  await pay(alice, bob, ETH);
  await tokenTransfer(alice, bob, 100n * 10n ** 6n);
  await pay(carol, alice, 2n * ETH);
  await forward(bob, f1, [alice, carol], [milli(300), milli(200)]);
  await mine();

  // Block 4: exactly 10^24 wei.
  const bigValueTxid = await pay(whale, alice, 10n ** 24n);
  await mine();

  // Block 5: nested forwarding: F1 → F2 (0), F2 → bob (0_0), F2 → alice (0_1), F1 → carol (1).
  const nestedValues = [milli(50), milli(70)];
  const nestedSum = nestedValues[0]! + nestedValues[1]!;
  const nestedTxid = await send(
    alice,
    f1,
    nestedSum + milli(10),
    fwdIface.encodeFunctionData("forwardNested", [f2, [bob, alice], nestedValues, carol, milli(10)]),
    {
      native: { to: f1, value: nestedSum + milli(10) },
      internal: [
        { from: f1, to: f2, value: nestedSum, traceAddress: "0" },
        { from: f2, to: bob, value: nestedValues[0]!, traceAddress: "0_0" },
        { from: f2, to: alice, value: nestedValues[1]!, traceAddress: "0_1" },
        { from: f1, to: carol, value: milli(10), traceAddress: "1" },
      ],
      tokens: [],
    },
  );
  await mine();

  // Block 6: a reverting call with value (its forward to bob is undone too), next to a good payment.
  const failedTxid = await send(
    alice,
    f1,
    milli(100),
    fwdIface.encodeFunctionData("forwardAndRevert", [[bob], [milli(100)]]),
    {
      native: { to: f1, value: milli(100) },
      internal: [{ from: f1, to: bob, value: milli(100), traceAddress: "0" }],
      tokens: [],
      expectFailure: true,
    },
  );
  await pay(bob, alice, milli(250));
  await mine();

  // Block 7: three Transfer logs in one tx (two identical ones to bob) and a zero-value tx (fee only).
  await batchTransfer(alice, [bob, carol, bob], [5n * 10n ** 6n, 7n * 10n ** 6n, 5n * 10n ** 6n]);
  await pay(alice, bob, 0n);
  await mine();

  // dave outgrows a record window of 10: 12 txs in one block, then 18 over 6 blocks,
  // 11 internal transfers in one tx and 11 token transfers in one tx.
  const senders = [s6, s7, s8, s9];
  for (let i = 0; i < 12; i++) await pay(senders[i % 4]!, dave, milli(i + 1));
  await mine();
  for (let b = 0; b < 6; b++) {
    await pay(dave, senders[b % 4]!, milli(20 + b));
    await pay(senders[(b + 1) % 4]!, dave, milli(40 + b));
    await pay(dave, bob, 0n);
    await mine();
  }
  const eleven = Array.from({ length: 11 }, (_, i) => BigInt(i + 1));
  await forward(
    bob,
    f1,
    eleven.map(() => dave),
    eleven.map((v) => v * 10n ** 9n),
  );
  await batchTransfer(
    deployer,
    eleven.map(() => dave),
    eleven,
  );
  await mine();

  // ------------------------------------------------ positions from the node, rows from the ledger
  const blockTimes = new Map<number, number>();
  for (const r of receipts.values()) {
    const n = Number(r.blockNumber);
    if (!blockTimes.has(n)) {
      const b = await rpc<{ timestamp: string }>("eth_getBlockByNumber", [r.blockNumber, false]);
      blockTimes.set(n, Number(b.timestamp));
    }
  }
  const rows: AccountTransfer[] = [];
  const txs: ScenarioTx[] = [];
  for (const it of intents) {
    const r = receipts.get(it.hash)!;
    const success = r.status === "0x1";
    if (success === it.expectFailure)
      throw new Error(`scenario tx ${it.hash}: unexpected status ${r.status}`);
    const base = {
      chain,
      txid: it.hash,
      blockNumber: Number(r.blockNumber),
      blockHash: null,
      blockTime: blockTimes.get(Number(r.blockNumber))!,
      txIndex: Number(r.transactionIndex),
    };
    const eth = { asset: native, symbol: native, decimals: 18 };
    txs.push({ hash: it.hash, blockNumber: base.blockNumber, txIndex: base.txIndex, success });
    if (it.native) {
      rows.push({
        ...base,
        kind: "native",
        seq: 0,
        logIndex: null,
        traceAddress: null,
        from: it.from,
        to: it.native.to,
        ...eth,
        value: it.native.value,
        success,
      });
    }
    it.internal.forEach((m, seq) => {
      rows.push({
        ...base,
        kind: "internal",
        seq,
        logIndex: null,
        traceAddress: m.traceAddress,
        from: m.from,
        to: m.to,
        ...eth,
        value: m.value,
        success,
      });
    });
    if (success) {
      if (r.logs.length !== it.tokens.length)
        throw new Error(`scenario tx ${it.hash}: ${r.logs.length} logs, expected ${it.tokens.length}`);
      it.tokens.forEach((t, i) => {
        const logIndex = Number(r.logs[i]!.logIndex);
        rows.push({
          ...base,
          kind: "token",
          seq: logIndex,
          logIndex,
          traceAddress: null,
          from: t.from,
          to: t.to,
          asset: t.token,
          symbol: "USDT",
          decimals: 6,
          value: t.value,
          success: true,
        });
      });
    }
    rows.push({
      ...base,
      kind: "fee",
      seq: 0,
      logIndex: null,
      traceAddress: null,
      from: it.from,
      to: null,
      ...eth,
      value: BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice),
      success: true,
    });
  }
  txs.sort((a, b) => a.blockNumber - b.blockNumber || a.txIndex - b.txIndex);

  const tipHeight = Number(await rpc<string>("eth_blockNumber", []));
  const tipBlock = await rpc<{ hash: string }>("eth_getBlockByNumber", [
    `0x${tipHeight.toString(16)}`,
    false,
  ]);
  const addresses = {
    deployer,
    alice,
    bob,
    carol,
    dave,
    whale,
    usdt,
    forwarder: f1,
    innerForwarder: f2,
  };
  return {
    chain,
    chainId: node.chainId,
    addresses,
    tracked: [deployer, alice, bob, carol, dave, whale, f1, f2],
    token: { address: usdt, symbol: "USDT", decimals: 6 },
    txs,
    bigValueTxid,
    failedTxid,
    nestedTxid,
    windowAddress: dave,
    firstBlock: txs[0]!.blockNumber,
    lastBlock: txs[txs.length - 1]!.blockNumber,
    tip: { height: tipHeight, hash: tipBlock.hash },
    expected(address: string) {
      const a = address.toLowerCase();
      return sortTransfers(
        rows.filter((t) => t.from === a || (t.kind !== "fee" && t.to === a)).map((t) => ({ ...t })),
      );
    },
  };
}

/** anvil plus the scenario: what a test file starts once. */
export interface EvmHarness {
  node: AnvilNode;
  scenario: EvmScenario;
  stop(): Promise<void>;
}

export async function startEvmHarness(opts: AnvilOptions & ScenarioOptions = {}): Promise<EvmHarness> {
  const node = await startAnvil(opts);
  try {
    const scenario = await buildEvmScenario(node, opts);
    return { node, scenario, stop: () => node.stop() };
  } catch (e) {
    await node.stop();
    throw e;
  }
}
