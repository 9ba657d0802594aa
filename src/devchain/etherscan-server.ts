/**
 * A local Etherscan-compatible API over an EVM node (anvil), for tests and demos.
 *
 * Flavors:
 * - "etherscan-v2": `GET /v2/api?chainid=…&module=account&action=txlist|txlistinternal|tokentx`, plus
 *   `module=proxy` (eth_blockNumber, eth_getBlockByNumber, eth_getTransactionByHash,
 *   eth_getTransactionReceipt) and `module=block&action=getblocknobytime`. Field names and order follow Etherscan's documented samples; every
 *   number is a decimal string. `tokentx` carries no `logIndex` (none of Etherscan's samples has one).
 * - "blockscout": `GET /api?module=account&action=…` in Blockscout's RPC format (keys in alphabetical
 *   order as Blockscout's JSON encoder writes them; internal transactions carry `transactionHash`,
 *   `index`, `callType` instead of `hash`/`traceId`; no `functionName`; `tokentx` has `logIndex`),
 *   `module=block&action=eth_block_number|getblocknobytime`, and the REST routes `/api/v2/blocks/:number`,
 *   `/api/v2/transactions/:hash` and `/api/v2/transactions/:hash/logs` (the fields the adapter reads).
 *
 * The index is built from the node (blocks, receipts, `trace_block` or else `debug_traceTransaction`
 * with the callTracer) and follows the chain as it grows. Each list answer holds at most `recordWindow` records for the block range, sorted, exactly
 * as Etherscan caps it (`page × offset` above the window is refused). Faults are injected like the
 * Esplora test server, plus Etherscan's HTTP-200 "Max rate limit reached" answer.
 */
import http from "node:http";
import { listen } from "../listen.ts";
import {
  type EvmFaultConfig,
  type EvmFaultKind,
  emptyFaultCounts,
  FaultInjector,
  type Held,
  releaseHeld,
  sendTransportFault,
} from "./evm-faults.ts";

export type EtherscanFlavor = "etherscan-v2" | "blockscout";

export interface EtherscanServerOptions {
  flavor?: EtherscanFlavor;
  /** Most records one list answer holds (Etherscan: 10,000; 1,000 on free keys from 2026-07). */
  recordWindow?: number;
  /** When set, every request must carry it as `apikey` (etherscan-v2 flavor). */
  apiKey?: string;
  /** Chain id the v2 API answers for; default the node's. */
  chainId?: number;
  faults?: EvmFaultConfig;
  port?: number;
  latencyMs?: number;
}

export interface EtherscanRequestLog {
  /** Path and query with the apikey value redacted. */
  path: string;
  action: string;
  outcome: "served" | EvmFaultKind;
  status?: number;
}

export interface EtherscanServerStats {
  total: number;
  served: number;
  faulted: number;
  /** Served requests per "module.action" (e.g. "account.txlist") or REST route ("v2.blocks"). */
  byAction: Record<string, number>;
  faultsByKind: Record<EvmFaultKind, number>;
  requests: EtherscanRequestLog[];
  inFlight: number;
  maxInFlight: number;
}

export interface EtherscanServer {
  /** Base URL to give the adapter (the API root; the adapter appends /v2/api or /api). */
  url: string;
  port: number;
  flavor: EtherscanFlavor;
  readonly stats: EtherscanServerStats;
  setFaults(f: EvmFaultConfig | null): void;
  setRecordWindow(n: number): void;
  resetStats(): void;
  close(): Promise<void>;
}

/** Something that knows the node's JSON-RPC URL. */
export type NodeRef = string | { url: string } | { node: { url: string } };

const nodeUrl = (n: NodeRef): string => (typeof n === "string" ? n : "node" in n ? n.node.url : n.url);

// ------------------------------------------------------------------ node access

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
  transactions: RpcTx[];
}
interface RpcTx {
  hash: string;
  nonce: string;
  blockHash: string;
  blockNumber: string;
  transactionIndex: string;
  from: string;
  to: string | null;
  value: string;
  gas: string;
  input: string;
}
interface RpcReceipt {
  transactionHash: string;
  status?: string;
  gasUsed: string;
  cumulativeGasUsed: string;
  effectiveGasPrice: string;
  contractAddress: string | null;
  logs: { address: string; topics: string[]; data: string; logIndex: string }[];
}
interface CallFrame {
  type: string;
  from: string;
  to?: string;
  value?: string;
  gas?: string;
  gasUsed?: string;
  input?: string;
  error?: string;
  calls?: CallFrame[];
}
interface ParityTrace {
  action: {
    from: string;
    to?: string;
    value?: string;
    gas?: string;
    input?: string;
    init?: string;
    callType?: string;
  };
  result?: { gasUsed?: string; address?: string } | null;
  error?: string;
  traceAddress: number[];
  transactionHash: string;
  type: string;
}

class Rpc {
  private id = 1;
  constructor(readonly url: string) {}
  async call<T>(method: string, params: unknown[]): Promise<T> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: this.id++, method, params }),
    });
    const body = (await res.json()) as { result?: T; error?: { code: number; message: string } };
    if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { rpc: body.error });
    return body.result as T;
  }
}

// ------------------------------------------------------------------ index

const TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
const dec = (h: string | undefined | null): string => (h ? BigInt(h).toString(10) : "0");
const lc = (s: string | null | undefined) => (s ?? "").toLowerCase();

interface ITx {
  blockNumber: number;
  timeStamp: number;
  hash: string;
  nonce: string;
  blockHash: string;
  transactionIndex: number;
  from: string;
  to: string;
  value: string;
  gas: string;
  gasPrice: string;
  failed: boolean;
  input: string;
  contractAddress: string;
  cumulativeGasUsed: string;
  gasUsed: string;
}
interface IInternal {
  tx: ITx;
  /** Position in the transaction's flattened trace list (0 is the top-level call). */
  index: number;
  traceId: string;
  type: string;
  callType: string;
  from: string;
  to: string;
  contractAddress: string;
  value: string;
  gas: string;
  gasUsed: string;
  isError: boolean;
  errCode: string;
}
interface IToken {
  tx: ITx;
  logIndex: number;
  token: string;
  from: string;
  to: string;
  value: string;
}
interface TokenMeta {
  name: string;
  symbol: string;
  decimals: string;
}

class ChainIndex {
  txs: ITx[] = [];
  internals: IInternal[] = [];
  tokens: IToken[] = [];
  byHash = new Map<string, ITx>();
  internalsByTx = new Map<string, IInternal[]>();
  meta = new Map<string, TokenMeta>();
  tip = -1;
  private next = 0;
  private syncing: Promise<void> | null = null;
  constructor(private readonly rpc: Rpc) {}

  /** Indexes every block up to the node's current tip (one sync at a time). */
  sync(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const tip = Number(await this.rpc.call<string>("eth_blockNumber", []));
    for (let n = this.next; n <= tip; n++) await this.indexBlock(n);
    this.next = Math.max(this.next, tip + 1);
    this.tip = tip;
  }

  private async tokenMeta(token: string): Promise<TokenMeta> {
    const cached = this.meta.get(token);
    if (cached) return cached;
    const str = async (sel: string) => {
      try {
        const h = (await this.rpc.call<string>("eth_call", [{ to: token, data: sel }, "latest"])).slice(2);
        if (h.length === 64) return Buffer.from(h, "hex").toString("utf8").replace(/\0+$/, "");
        const len = Number.parseInt(h.slice(64, 128), 16);
        return Buffer.from(h.slice(128, 128 + len * 2), "hex").toString("utf8");
      } catch {
        return "";
      }
    };
    let decimals = "";
    try {
      decimals = dec(await this.rpc.call<string>("eth_call", [{ to: token, data: "0x313ce567" }, "latest"]));
    } catch {
      // not an ERC-20 with decimals()
    }
    const m = { name: await str("0x06fdde03"), symbol: await str("0x95d89b41"), decimals };
    this.meta.set(token, m);
    return m;
  }

  /** Parity-style traces of a block: `trace_block`, else Geth's callTracer reshaped; never silently none. */
  private async traces(hex: string, txs: RpcTx[]): Promise<ParityTrace[]> {
    try {
      return await this.rpc.call<ParityTrace[]>("trace_block", [hex]);
    } catch {
      // fall back to debug_traceTransaction below
    }
    const out: ParityTrace[] = [];
    for (const t of txs) {
      const root = await this.rpc.call<CallFrame>("debug_traceTransaction", [
        t.hash,
        { tracer: "callTracer" },
      ]);
      const walk = (f: CallFrame, path: number[]) => {
        const type = f.type.toUpperCase();
        const create = type === "CREATE" || type === "CREATE2";
        out.push({
          action: {
            from: f.from,
            to: create ? undefined : f.to,
            value: f.value ?? "0x0",
            gas: f.gas,
            input: f.input,
            callType: create ? undefined : type.toLowerCase(),
          },
          result: f.error ? null : { gasUsed: f.gasUsed, address: create ? f.to : undefined },
          error: f.error,
          traceAddress: path,
          transactionHash: t.hash,
          type: create ? "create" : type === "SELFDESTRUCT" ? "suicide" : "call",
        });
        (f.calls ?? []).forEach((c, i) => {
          walk(c, [...path, i]);
        });
      };
      walk(root, []);
    }
    return out;
  }

  private async indexBlock(n: number): Promise<void> {
    const hex = `0x${n.toString(16)}`;
    const block = await this.rpc.call<RpcBlock | null>("eth_getBlockByNumber", [hex, true]);
    if (!block) return;
    if (block.transactions.length === 0) return;
    let receipts: RpcReceipt[];
    try {
      receipts = await this.rpc.call<RpcReceipt[]>("eth_getBlockReceipts", [hex]);
    } catch {
      receipts = await Promise.all(
        block.transactions.map((t) => this.rpc.call<RpcReceipt>("eth_getTransactionReceipt", [t.hash])),
      );
    }
    const rcpt = new Map(receipts.map((r) => [lc(r.transactionHash), r]));
    const traces = await this.traces(hex, block.transactions);
    const time = Number(block.timestamp);
    for (const t of block.transactions) {
      const r = rcpt.get(lc(t.hash))!;
      const tx: ITx = {
        blockNumber: n,
        timeStamp: time,
        hash: lc(t.hash),
        nonce: dec(t.nonce),
        blockHash: lc(block.hash),
        transactionIndex: Number(t.transactionIndex),
        from: lc(t.from),
        to: lc(t.to),
        value: dec(t.value),
        gas: dec(t.gas),
        gasPrice: dec(r.effectiveGasPrice),
        failed: r.status === "0x0",
        input: t.input,
        contractAddress: lc(r.contractAddress),
        cumulativeGasUsed: dec(r.cumulativeGasUsed),
        gasUsed: dec(r.gasUsed),
      };
      this.txs.push(tx);
      this.byHash.set(tx.hash, tx);
      for (const log of r.logs) {
        if (
          log.topics.length !== 3 ||
          lc(log.topics[0]) !== TRANSFER ||
          !/^0x[0-9a-fA-F]{64}$/.test(log.data)
        )
          continue;
        const token = lc(log.address);
        await this.tokenMeta(token);
        this.tokens.push({
          tx,
          logIndex: Number(log.logIndex),
          token,
          from: `0x${log.topics[1]!.slice(-40)}`.toLowerCase(),
          to: `0x${log.topics[2]!.slice(-40)}`.toLowerCase(),
          value: dec(log.data),
        });
      }
      // trace_block lists each transaction's traces in execution (depth-first) order.
      const own = traces.filter((x) => lc(x.transactionHash) === tx.hash);
      const errored = new Set<string>();
      const list: IInternal[] = [];
      own.forEach((x, index) => {
        const id = x.traceAddress.join("_");
        const parentErr = x.traceAddress.some((_, i) => errored.has(x.traceAddress.slice(0, i).join("_")));
        if (x.error || parentErr) errored.add(id);
        if (x.traceAddress.length === 0) return;
        const create = x.type === "create";
        if (x.type !== "call" && !create) return;
        const callType = create ? "" : (x.action.callType ?? "call");
        // Etherscan lists value transfers and contract creations, not plain zero-value calls.
        if (!create && (callType !== "call" || BigInt(x.action.value ?? "0x0") === 0n)) return;
        list.push({
          tx,
          index,
          traceId: id,
          type: create ? "create" : "call",
          callType,
          from: lc(x.action.from),
          to: create ? "" : lc(x.action.to),
          contractAddress: create ? lc(x.result?.address) : "",
          value: dec(x.action.value ?? "0x0"),
          gas: dec(x.action.gas),
          gasUsed: dec(x.result?.gasUsed),
          isError: errored.has(id),
          errCode: x.error ?? "",
        });
      });
      this.internals.push(...list);
      this.internalsByTx.set(tx.hash, list);
    }
  }
}

// ------------------------------------------------------------------ formats

interface Q {
  get(k: string): string | null;
}

const ESCAN_EMPTY = "No transactions found";

function etherscanTx(t: ITx, tip: number): Record<string, string> {
  return {
    blockNumber: String(t.blockNumber),
    timeStamp: String(t.timeStamp),
    hash: t.hash,
    nonce: t.nonce,
    blockHash: t.blockHash,
    transactionIndex: String(t.transactionIndex),
    from: t.from,
    to: t.to,
    value: t.value,
    gas: t.gas,
    gasPrice: t.gasPrice,
    isError: t.failed ? "1" : "0",
    txreceipt_status: t.failed ? "0" : "1",
    input: t.input,
    contractAddress: t.contractAddress,
    cumulativeGasUsed: t.cumulativeGasUsed,
    gasUsed: t.gasUsed,
    confirmations: String(tip - t.blockNumber + 1),
    methodId: t.input.length >= 10 ? t.input.slice(0, 10) : "0x",
    functionName: "",
  };
}

function blockscoutTx(t: ITx, tip: number): Record<string, string> {
  return {
    blockHash: t.blockHash,
    blockNumber: String(t.blockNumber),
    confirmations: String(tip - t.blockNumber + 1),
    contractAddress: t.contractAddress,
    cumulativeGasUsed: t.cumulativeGasUsed,
    from: t.from,
    gas: t.gas,
    gasPrice: t.gasPrice,
    gasUsed: t.gasUsed,
    hash: t.hash,
    input: t.input,
    isError: t.failed ? "1" : "0",
    methodId: t.input.length >= 10 ? t.input.slice(0, 10) : "0x",
    nonce: t.nonce,
    timeStamp: String(t.timeStamp),
    to: t.to,
    transactionIndex: String(t.transactionIndex),
    txreceipt_status: t.failed ? "0" : "1",
    value: t.value,
  };
}

function etherscanInternal(i: IInternal, byHash: boolean): Record<string, string> {
  const head: Record<string, string> = {
    blockNumber: String(i.tx.blockNumber),
    timeStamp: String(i.tx.timeStamp),
  };
  // The by-transaction-hash listing has neither hash nor traceId (Etherscan's documented sample).
  if (!byHash) head.hash = i.tx.hash;
  const body: Record<string, string> = {
    from: i.from,
    to: i.to,
    value: i.value,
    contractAddress: i.contractAddress,
    input: "",
    type: i.type,
    gas: i.gas,
    gasUsed: i.gasUsed,
  };
  const tail: Record<string, string> = byHash ? {} : { traceId: i.traceId };
  return { ...head, ...body, ...tail, isError: i.isError ? "1" : "0", errCode: i.errCode };
}

function blockscoutInternal(i: IInternal): Record<string, string> {
  return {
    blockNumber: String(i.tx.blockNumber),
    callType: i.callType,
    contractAddress: i.contractAddress,
    errCode: i.errCode,
    from: i.from,
    gas: i.gas,
    gasUsed: i.gasUsed,
    index: String(i.index),
    input: "",
    isError: i.isError ? "1" : "0",
    timeStamp: String(i.tx.timeStamp),
    to: i.to,
    transactionHash: i.tx.hash,
    type: i.type,
    value: i.value,
  };
}

function etherscanToken(t: IToken, m: TokenMeta, tip: number): Record<string, string> {
  const x = t.tx;
  return {
    blockNumber: String(x.blockNumber),
    timeStamp: String(x.timeStamp),
    hash: x.hash,
    nonce: x.nonce,
    blockHash: x.blockHash,
    from: t.from,
    contractAddress: t.token,
    to: t.to,
    value: t.value,
    tokenName: m.name,
    tokenSymbol: m.symbol,
    tokenDecimal: m.decimals,
    transactionIndex: String(x.transactionIndex),
    gas: x.gas,
    gasPrice: x.gasPrice,
    gasUsed: x.gasUsed,
    cumulativeGasUsed: x.cumulativeGasUsed,
    input: "deprecated",
    methodId: x.input.length >= 10 ? x.input.slice(0, 10) : "0x",
    functionName: "",
    confirmations: String(tip - x.blockNumber + 1),
  };
}

function blockscoutToken(t: IToken, m: TokenMeta, tip: number): Record<string, string> {
  const x = t.tx;
  return {
    blockHash: x.blockHash,
    blockNumber: String(x.blockNumber),
    confirmations: String(tip - x.blockNumber + 1),
    contractAddress: t.token,
    cumulativeGasUsed: x.cumulativeGasUsed,
    from: t.from,
    gas: x.gas,
    gasPrice: x.gasPrice,
    gasUsed: x.gasUsed,
    hash: x.hash,
    input: x.input,
    logIndex: String(t.logIndex),
    methodId: x.input.length >= 10 ? x.input.slice(0, 10) : "0x",
    nonce: x.nonce,
    timeStamp: String(x.timeStamp),
    to: t.to,
    tokenDecimal: m.decimals,
    tokenName: m.name,
    tokenSymbol: m.symbol,
    transactionIndex: String(x.transactionIndex),
    value: t.value,
  };
}

// ------------------------------------------------------------------ server

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

const jsonAnswer = (v: unknown, status = 200): Answer => ({
  status,
  contentType: "application/json; charset=utf-8",
  body: JSON.stringify(v),
});

const isAddress = (s: string | null): s is string => s !== null && /^0x[0-9a-fA-F]{40}$/.test(s);
const isHash = (s: string | null): s is string => s !== null && /^0x[0-9a-fA-F]{64}$/.test(s);

function emptyStats(): EtherscanServerStats {
  return {
    total: 0,
    served: 0,
    faulted: 0,
    byAction: {},
    faultsByKind: emptyFaultCounts(),
    requests: [],
    inFlight: 0,
    maxInFlight: 0,
  };
}

export async function startEtherscanServer(
  node: NodeRef,
  opts: EtherscanServerOptions = {},
): Promise<EtherscanServer> {
  const flavor = opts.flavor ?? "etherscan-v2";
  const rpc = new Rpc(nodeUrl(node));
  const index = new ChainIndex(rpc);
  const chainId = opts.chainId ?? Number(await rpc.call<string>("eth_chainId", []));
  let window = opts.recordWindow ?? 10_000;
  const faults = new FaultInjector();
  faults.set(opts.faults ?? null);
  const stats = emptyStats();
  const held = new Set<Held>();
  const es = flavor === "etherscan-v2";

  /** Envelopes: Etherscan writes status, message, result; Blockscout's encoder sorts the keys. */
  const envelope = (status: "0" | "1", message: string, result: unknown): Answer =>
    jsonAnswer(es ? { status, message, result } : { message, result, status });
  const notok = (result: string): Answer =>
    es ? envelope("0", "NOTOK", result) : jsonAnswer({ message: result, result: null, status: "0" });

  function listAnswer<T>(
    q: Q,
    all: T[],
    block: (t: T) => number,
    emptyMessage: string,
    format: (t: T) => Record<string, string>,
  ): Answer {
    const start = Number(q.get("startblock") ?? "0");
    const endRaw = q.get("endblock");
    const end = endRaw === null || endRaw === "latest" ? Number.MAX_SAFE_INTEGER : Number(endRaw);
    if (!Number.isInteger(start) || !Number.isInteger(end)) return notok("Error! Invalid block range");
    const sort = q.get("sort") ?? (es ? "asc" : "desc");
    const pageRaw = q.get("page");
    const offsetRaw = q.get("offset");
    let page = 1;
    let offset = window;
    if (pageRaw !== null && offsetRaw !== null) {
      page = Math.max(1, Number(pageRaw) || 1);
      offset = Math.max(1, Number(offsetRaw) || window);
    }
    if (es && page * offset > window)
      return notok(
        `Result window is too large, PageNo x Offset size must be less than or equal to ${window}`,
      );
    offset = Math.min(offset, window);
    const inRange = all.filter((t) => block(t) >= start && block(t) <= end);
    if (sort === "desc") inRange.reverse();
    const slice = inRange.slice((page - 1) * offset, page * offset);
    if (slice.length === 0) return envelope("0", emptyMessage, []);
    return envelope("1", "OK", slice.map(format));
  }

  async function account(action: string | null, q: Q): Promise<Answer> {
    await index.sync();
    const tip = index.tip;
    if (action === "txlistinternal" && q.get("address") === null && q.get("txhash") !== null) {
      const h = q.get("txhash")!;
      if (!isHash(h)) return notok(es ? "Error! Invalid transaction hash" : "Invalid txhash format");
      const list = index.internalsByTx.get(h.toLowerCase()) ?? [];
      if (list.length === 0) return envelope("0", es ? ESCAN_EMPTY : "No internal transactions found", []);
      return envelope(
        "1",
        "OK",
        list.map((i) => (es ? etherscanInternal(i, true) : blockscoutInternal(i))),
      );
    }
    const addrRaw = q.get("address");
    if (addrRaw === null)
      return notok(es ? "Error! Missing address" : "Query parameter 'address' is required");
    if (!isAddress(addrRaw)) return notok(es ? "Error! Invalid address format" : "Invalid address format");
    const a = addrRaw.toLowerCase();
    switch (action) {
      case "txlist":
        return listAnswer(
          q,
          index.txs.filter((t) => t.from === a || t.to === a || t.contractAddress === a),
          (t) => t.blockNumber,
          ESCAN_EMPTY,
          (t) => (es ? etherscanTx(t, tip) : blockscoutTx(t, tip)),
        );
      case "txlistinternal":
        return listAnswer(
          q,
          index.internals.filter((i) => i.from === a || i.to === a || i.contractAddress === a),
          (i) => i.tx.blockNumber,
          es ? ESCAN_EMPTY : "No internal transactions found",
          (i) => (es ? etherscanInternal(i, false) : blockscoutInternal(i)),
        );
      case "tokentx":
        return listAnswer(
          q,
          index.tokens.filter((t) => t.from === a || t.to === a),
          (t) => t.tx.blockNumber,
          es ? ESCAN_EMPTY : "No token transfers found",
          (t) =>
            es
              ? etherscanToken(t, index.meta.get(t.token)!, tip)
              : blockscoutToken(t, index.meta.get(t.token)!, tip),
        );
      default:
        return notok(es ? "Error! Missing Or invalid Action name" : "Unknown action");
    }
  }

  /**
   * `module=block&action=getblocknobytime`: the last block at or before (`closest=before`) or the first
   * at or after (`after`) a Unix time. Etherscan answers the number as a string, Blockscout as
   * `{"blockNumber": …}`; neither finds a block after the newest one.
   */
  async function blockByTime(q: Q): Promise<Answer> {
    const ts = Number(q.get("timestamp"));
    const closest = q.get("closest") ?? "before";
    if (!Number.isSafeInteger(ts) || ts < 0 || (closest !== "before" && closest !== "after"))
      return notok(es ? "Error! Invalid parameter" : "Invalid parameters");
    const tip = Number(await rpc.call<string>("eth_blockNumber", []));
    const time = async (n: number) =>
      Number((await rpc.call<RpcBlock>("eth_getBlockByNumber", [`0x${n.toString(16)}`, false])).timestamp);
    // the first block past the time (before) or at or past it (after)
    let lo = 0;
    let hi = tip + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const t = await time(mid);
      if (closest === "after" ? t >= ts : t > ts) hi = mid;
      else lo = mid + 1;
    }
    const n = closest === "after" ? lo : lo - 1;
    if (n < 0 || n > tip)
      return es
        ? notok("Error! No closest block found")
        : jsonAnswer({ message: "Block does not exist", result: null, status: "0" });
    return es ? envelope("1", "OK", String(n)) : envelope("1", "OK", { blockNumber: String(n) });
  }

  /** Etherscan's proxy module answers in JSON-RPC form, whatever the node said. */
  async function proxy(action: string | null, q: Q): Promise<Answer> {
    const id = Number(q.get("id") ?? "1") || 1;
    const call = async (method: string, params: unknown[]) => {
      try {
        return jsonAnswer({ jsonrpc: "2.0", id, result: await rpc.call(method, params) });
      } catch (e) {
        const err = (e as { rpc?: { code: number; message: string } }).rpc ?? {
          code: -32000,
          message: "error",
        };
        return jsonAnswer({ jsonrpc: "2.0", id, error: err });
      }
    };
    switch (action) {
      case "eth_blockNumber":
        return call("eth_blockNumber", []);
      case "eth_getBlockByNumber":
        return call("eth_getBlockByNumber", [q.get("tag") ?? "latest", q.get("boolean") === "true"]);
      case "eth_getTransactionByHash":
        return call("eth_getTransactionByHash", [q.get("txhash")]);
      case "eth_getTransactionReceipt":
        return call("eth_getTransactionReceipt", [q.get("txhash")]);
      default:
        return notok("Error! Missing Or invalid Action name");
    }
  }

  async function blockscoutRest(seg: string[]): Promise<Answer> {
    await index.sync();
    const [, , kind, id] = seg;
    if (kind === "blocks" && id !== undefined && /^[0-9]+$/.test(id)) {
      const b = await rpc.call<RpcBlock | null>("eth_getBlockByNumber", [
        `0x${Number(id).toString(16)}`,
        false,
      ]);
      if (!b) return jsonAnswer({ message: "Not found" }, 404);
      return jsonAnswer({
        hash: b.hash,
        height: Number(b.number),
        timestamp: new Date(Number(b.timestamp) * 1000).toISOString(),
        transactions_count: b.transactions.length,
      });
    }
    if (kind === "transactions" && id !== undefined && isHash(id) && seg[4] === "logs") {
      const r = await rpc.call<RpcReceipt | null>("eth_getTransactionReceipt", [id]);
      if (!r) return jsonAnswer({ message: "Not found" }, 404);
      return jsonAnswer({
        items: r.logs.map((l) => ({
          address: { hash: lc(l.address) },
          data: l.data,
          index: Number(l.logIndex),
          topics: l.topics,
          transaction_hash: lc(r.transactionHash),
        })),
        next_page_params: null,
      });
    }
    if (kind === "transactions" && id !== undefined && isHash(id) && seg.length === 4) {
      const t = index.byHash.get(id.toLowerCase());
      if (!t) return jsonAnswer({ message: "Not found" }, 404);
      return jsonAnswer({
        hash: t.hash,
        block_number: t.blockNumber,
        position: t.transactionIndex,
        status: t.failed ? "error" : "ok",
        result: t.failed ? "Reverted" : "success",
        timestamp: new Date(t.timeStamp * 1000).toISOString(),
        from: { hash: t.from },
        to: t.to ? { hash: t.to } : null,
        value: t.value,
        gas_used: t.gasUsed,
        gas_price: t.gasPrice,
        nonce: Number(t.nonce),
      });
    }
    return jsonAnswer({ message: "Not found" }, 404);
  }

  /** Routes one request; returns the stats key and how to compute the answer. */
  function route(url: URL): { key: string; compute: () => Promise<Answer> } {
    const q = url.searchParams;
    const path = url.pathname.replace(/\/+$/, "");
    const module = q.get("module");
    const action = q.get("action");
    const key = `${module ?? "?"}.${action ?? "?"}`;
    if (es) {
      if (path !== "/v2/api")
        return { key: "(no route)", compute: async () => jsonAnswer({ message: "Not found" }, 404) };
      return {
        key,
        compute: async () => {
          if (opts.apiKey !== undefined) {
            const k = q.get("apikey");
            if (!k) return notok("Missing/Invalid API Key");
            if (k !== opts.apiKey) return notok("Invalid API Key");
          }
          if (q.get("chainid") === null)
            return notok(
              "Missing chainid parameter (required for v2 api), please see https://api.etherscan.io/v2/chainlist for the list of supported chainids",
            );
          if (Number(q.get("chainid")) !== chainId) return notok("Invalid chainid parameter");
          if (module === "account") return account(action, q);
          if (module === "proxy") return proxy(action, q);
          if (module === "block" && action === "getblocknobytime") return blockByTime(q);
          return notok("Error! Missing Or invalid Module name");
        },
      };
    }
    if (path === "/api") {
      return {
        key,
        compute: async () => {
          if (module === "account") return account(action, q);
          if (module === "block" && action === "getblocknobytime") return blockByTime(q);
          if (module === "block" && action === "eth_block_number") {
            await index.sync();
            return jsonAnswer({
              jsonrpc: "2.0",
              result: `0x${index.tip.toString(16)}`,
              id: Number(q.get("id") ?? "1") || 1,
            });
          }
          return jsonAnswer({ message: "Unknown action", result: null, status: "0" });
        },
      };
    }
    const seg = path.split("/").slice(1);
    if (seg[0] === "api" && seg[1] === "v2")
      return { key: `v2.${seg[2] ?? "?"}`, compute: () => blockscoutRest(seg) };
    return { key: "(no route)", compute: async () => jsonAnswer({ message: "Not found" }, 404) };
  }

  const latencyMs = opts.latencyMs ?? 0;
  const server = http.createServer((req, res) => {
    stats.total++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.once("close", () => {
      stats.inFlight--;
    });
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const shown = new URL(url);
    if (shown.searchParams.has("apikey")) shown.searchParams.set("apikey", "REDACTED");
    const { key, compute } = route(url);
    const entry: EtherscanRequestLog = {
      path: shown.pathname + shown.search,
      action: key,
      outcome: "served",
    };
    stats.requests.push(entry);
    const fault = req.method === "GET" ? faults.pick(url.pathname + url.search) : null;
    const send = (a: Answer) => {
      entry.status = a.status;
      const buf = Buffer.from(a.body);
      res.writeHead(a.status, { "Content-Type": a.contentType, "Content-Length": buf.length }).end(buf);
    };
    const fail = (e: unknown) => {
      if (!res.headersSent) send(jsonAnswer({ message: `internal error: ${String(e).slice(0, 200)}` }, 500));
    };
    if (fault) {
      stats.faulted++;
      stats.faultsByKind[fault]++;
      entry.outcome = fault;
      if (fault === "ratelimit") {
        send(
          es
            ? envelope("0", "NOTOK", "Max rate limit reached")
            : jsonAnswer({ message: "Max rate limit reached", result: null, status: "0" }),
        );
        return;
      }
      if (fault === "truncated") {
        compute().then((a) => {
          entry.status = sendTransportFault("truncated", faults.config, req, res, held, () => a);
        }, fail);
        return;
      }
      entry.status = sendTransportFault(fault, faults.config, req, res, held, () => ({
        status: 500,
        contentType: "text/plain",
        body: "",
      }));
      return;
    }
    stats.served++;
    stats.byAction[key] = (stats.byAction[key] ?? 0) + 1;
    const go = () => compute().then(send, fail);
    if (latencyMs > 0) setTimeout(go, latencyMs);
    else go();
  });

  const listening = await listen(server, { port: opts.port, dropConnections: true });
  const port = listening.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    flavor,
    get stats() {
      return stats;
    },
    setFaults: (f) => faults.set(f),
    setRecordWindow(n: number) {
      window = n;
    },
    resetStats() {
      const inFlight = stats.inFlight;
      Object.assign(stats, emptyStats(), { inFlight, maxInFlight: inFlight });
    },
    close() {
      releaseHeld(held);
      return listening.close();
    },
  };
}
