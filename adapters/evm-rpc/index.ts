import { createHash } from "node:crypto";
/**
 * An EVM JSON-RPC node as an AccountSource, on ethers v6 (`JsonRpcProvider` batching: calls issued
 * together go out as one JSON-RPC batch).
 *
 * - ERC-20: `eth_getLogs` by topic, [Transfer, address] and [Transfer, null, address]; when the node
 *   refuses a range ("query returned more than 10000 results", "block range too large", …) the span
 *   is narrowed (to the range the node suggests, else by binary search between the widest span
 *   accepted and the narrowest refused, remembered across calls) until every piece is accepted.
 * - native and internal: `trace_filter` (fromAddress, then toAddress) when the node has it; internal
 *   transfers are placed in their transaction with `trace_transaction` (seq is the position among all
 *   the transaction's value-carrying calls, and a call inside a reverted frame moved nothing). Without
 *   `trace_filter`, a bounded scan of fromBlock..toBlock: blocks with transactions, then
 *   `debug_traceTransaction` (callTracer) for internal transfers when available, else a gap is recorded
 *   in `gaps` and internal rows are missing for that range.
 * - receipts for status, gasUsed and effectiveGasPrice (fee rows); block timestamps.
 *
 * Rows are identical to the Etherscan adapter's (order and fields in ./shared.ts). blockHash is null on
 * every row: callers ingest only up to tip minus a confirmation depth, so rows never need a reorg check.
 * Not covered: SELFDESTRUCT balances, block rewards and withdrawals, L2 L1-data fees.
 *
 * Request counting: `counter.requests` counts JSON-RPC calls, not HTTP requests; a batch of n calls
 * adds n, and a retried attempt adds its calls again (`counter.retries` counts retried HTTP attempts).
 * Transport failures (429, 5xx, timeouts, resets, cut-short bodies) and throttling errors inside a 200
 * are retried with the shared backoff rules; errors never carry the node URL, which often holds a key.
 */
import {
  FetchRequest,
  type JsonRpcError,
  type JsonRpcPayload,
  JsonRpcProvider,
  type JsonRpcResult,
  Network,
} from "ethers";
import PQueue from "p-queue";
import type { AccountTransfer, ResponseStore } from "../../src/domain.ts";
import { BadInputError, UpstreamError } from "../../src/errors.ts";
import { redactSecrets, redactUrl } from "../../src/redact.ts";
import { RequestCounter } from "../http.ts";
import { backoffDelay, DEFAULT_RETRY, type FailureInfo, type RetryPolicy, shouldRetry } from "../retry.ts";
import type { AccountSource, BlockRange, SourceGap, Tip } from "../source.ts";
import {
  addressToTopic,
  checkTransfersInput,
  decodeAbiString,
  decodeErc20Transfer,
  hexToBigInt,
  hexToNumber,
  memo,
  type RawLog,
  sortTransfers,
  TRANSFER_TOPIC,
  toHex,
} from "./shared.ts";
import {
  type CallFrame,
  type FlatTrace,
  fromCallTracer,
  fromParity,
  type ParityTrace,
  traceId,
  valueCalls,
} from "./traces.ts";

export type TraceMode = "auto" | "trace_filter" | "scan";

export interface EvmRpcSourceOptions {
  url: string;
  /** Chain name stored on rows; default "ethereum". */
  chain?: string;
  chainId?: number;
  nativeSymbol?: string;
  /** HTTP requests per second (a batch is one); default 10. */
  rps?: number;
  /** HTTP requests in flight; default 4. */
  concurrency?: number;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  counter?: RequestCounter;
  sleep?: (ms: number) => Promise<void>;
  /** How native and internal transfers are found; "auto" uses trace_filter when the node answers it. */
  traces?: TraceMode;
  /** Largest range the block scan accepts (pass a narrower fromBlock/toBlock); default 100,000. */
  maxScanBlocks?: number;
  /** Calls per JSON-RPC batch; default 50. */
  batchMaxCount?: number;
  /** Widest block span asked of eth_getLogs / trace_filter; default unlimited (learnt from refusals). */
  maxBlockRange?: number;
  log?: (line: string) => void;
  /** Every answer is logged here as received (evidence). */
  responses?: ResponseStore;
}

/** A JSON-RPC error answer (the node understood the call and refused it). */
export class RpcError extends UpstreamError {
  readonly rpcCode: number | undefined;
  readonly rpcMessage: string;
  constructor(source: string, method: string, code: number | undefined, message: string) {
    super(source, `${method}: ${message}${code === undefined ? "" : ` (${code})`}`);
    this.rpcCode = code;
    this.rpcMessage = message;
  }
}

const RANGE_REFUSED =
  /more than \d+ results|block range|range (is )?too (large|wide|big)|range limit|limited to .*range|response size|too many (results|logs|blocks)|exceeds? (the )?(max|maximum|limit)|query timeout|timed? ?out/i;
const THROTTLED = /rate limit|too many requests|requests per second|capacity exceeded|throttl/i;
const NOT_SUPPORTED =
  /method not found|does not exist|not supported|not available|unsupported|not enabled|unknown method/i;

export const isRangeRefusal = (e: unknown): e is RpcError =>
  e instanceof RpcError && RANGE_REFUSED.test(e.rpcMessage);
export const isUnsupported = (e: unknown): e is RpcError =>
  e instanceof RpcError && (e.rpcCode === -32601 || NOT_SUPPORTED.test(e.rpcMessage));

/** A node's hint such as "Try with this block range [0x1, 0x2]." */
function suggestedRange(msg: string): [number, number] | undefined {
  const m = /\[\s*(0x[0-9a-fA-F]+|[0-9]+)\s*,\s*(0x[0-9a-fA-F]+|[0-9]+)\s*\]/.exec(msg);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Secrets a node URL may carry (Infura/Alchemy keys in the path, tokens in the query, basic auth). */
function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const parts = [...u.pathname.split("/"), ...u.searchParams.values(), u.username, u.password];
    return parts.filter((p) => p.length >= 16 || (p.length >= 4 && (p === u.username || p === u.password)));
  } catch {
    return [];
  }
}

function classify(e: unknown): FailureInfo {
  const err = e as {
    code?: string;
    message?: string;
    response?: { statusCode?: number; headers?: Record<string, string> };
  };
  if (err.code === "TIMEOUT") return { network: "timeout" };
  if (err.code === "SERVER_ERROR" && err.response?.statusCode)
    return { status: err.response.statusCode, retryAfter: err.response.headers?.["retry-after"] };
  if (err.code === "UNSUPPORTED_OPERATION" && /JSON/i.test(err.message ?? ""))
    return { network: "truncated" };
  if (err.code === "ECONNREFUSED") return { network: "refused" };
  if (err.code === "ECONNRESET" || err.code === "EPIPE" || /socket hang up|aborted/i.test(err.message ?? ""))
    return { network: "reset" };
  if (err.code === "SERVER_ERROR") return { network: "truncated" };
  return { network: "other" };
}

/** ethers' JsonRpcProvider with our transport rules: rate, retries, counting, no secrets in errors. */
class Transport extends JsonRpcProvider {
  constructor(
    url: string,
    network: Network,
    batchMaxCount: number,
    private readonly t: {
      source: string;
      counter: RequestCounter;
      queue: PQueue;
      policy: RetryPolicy;
      timeoutMs: number;
      sleep: (ms: number) => Promise<void>;
      scrub: (s: string) => string;
      responses?: ResponseStore;
      publicUrl: string;
    },
  ) {
    super(new FetchRequest(url), network, {
      staticNetwork: network,
      batchMaxCount,
      batchStallTime: 5,
      cacheTimeout: -1,
    });
  }

  override _getConnection(): FetchRequest {
    const r = super._getConnection();
    r.timeout = this.t.timeoutMs;
    // Throttling is retried below with the shared policy, not inside ethers.
    r.retryFunc = async () => false;
    const responses = this.t.responses;
    if (responses?.log) {
      r.processFunc = async (req, resp) => {
        if (resp.statusCode >= 200 && resp.statusCode < 300 && resp.body) {
          const body = Buffer.from(resp.body).toString("utf8");
          await responses.log!({
            source: this.t.source,
            url: this.t.publicUrl,
            request: req.body ? Buffer.from(req.body).toString("utf8") : "",
            status: resp.statusCode,
            sha256: createHash("sha256").update(resp.body).digest("hex"),
            body,
          });
        }
        return resp;
      };
    }
    return r;
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const calls = Array.isArray(payload) ? payload.length : 1;
    const methods = [...new Set((Array.isArray(payload) ? payload : [payload]).map((p) => p.method))].join(
      ",",
    );
    for (let attempt = 0; ; attempt++) {
      let failure: FailureInfo;
      try {
        const res = (await this.t.queue.add(() => {
          this.t.counter.requests += calls;
          return super._send(payload);
        })) as (JsonRpcResult | JsonRpcError)[];
        const throttled = res.find(
          (r) => "error" in r && (r.error.code === 429 || THROTTLED.test(r.error.message ?? "")),
        );
        // ethers declares results only, but passes error answers through the same array.
        if (!throttled) return res as JsonRpcResult[];
        failure = { throttled: true };
      } catch (e) {
        failure = classify(e);
      }
      if (!shouldRetry(failure) || attempt >= this.t.policy.maxRetries) {
        this.t.counter.failures++;
        const what = failure.status
          ? `HTTP ${failure.status}`
          : failure.throttled
            ? "throttled"
            : failure.network;
        throw new UpstreamError(
          this.t.source,
          this.t.scrub(`${methods} failed after ${attempt + 1} attempt(s): ${what}`),
          {
            status: failure.status,
            timeout: failure.network === "timeout",
          },
        );
      }
      this.t.counter.retries++;
      await this.t.sleep(backoffDelay(attempt, failure, this.t.policy));
    }
  }
}

interface RpcReceipt {
  transactionHash: string;
  transactionIndex: string;
  blockNumber: string;
  status?: string;
  gasUsed: string;
  effectiveGasPrice?: string;
  contractAddress?: string | null;
}

interface RpcTx {
  hash: string;
  from: string;
  to: string | null;
  value: string;
  transactionIndex: string;
  blockNumber: string;
}

/** A transaction the address takes part in at the top level. */
interface TopLevel {
  hash: string;
  blockNumber: number;
  txIndex: number;
  from: string;
  /** Callee, or the created contract (null until the receipt says which). */
  to: string | null;
  value: bigint;
}

export interface EvmRpcSource extends AccountSource {
  readonly gaps: SourceGap[];
  /** The trace method in use once known ("trace_filter" or "scan"). */
  readonly traceMode: TraceMode;
  destroy(): void;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createEvmRpcSource(opts: EvmRpcSourceOptions): EvmRpcSource {
  const id = "evm-rpc";
  const chain = opts.chain ?? "ethereum";
  const native = opts.nativeSymbol ?? "ETH";
  const counter = opts.counter ?? new RequestCounter();
  const secrets = urlSecrets(opts.url);
  const scrub = (s: string) => redactSecrets(s, secrets).split(opts.url).join("<node>");
  const rps = opts.rps ?? 10;
  const provider = new Transport(opts.url, new Network(chain, opts.chainId ?? 0), opts.batchMaxCount ?? 50, {
    source: id,
    counter,
    queue: new PQueue({
      concurrency: opts.concurrency ?? 4,
      intervalCap: 1,
      interval: Math.max(1, Math.floor(1000 / rps)),
    }),
    policy: { ...DEFAULT_RETRY, ...opts.retry },
    timeoutMs: opts.timeoutMs ?? 20_000,
    sleep: opts.sleep ?? sleepReal,
    scrub,
    responses: opts.responses,
    publicUrl: redactSecrets(redactUrl(opts.url), secrets),
  });
  const log = opts.log ?? (() => {});
  const maxScan = opts.maxScanBlocks ?? 100_000;
  let mode: TraceMode = opts.traces ?? "auto";
  let debugTracing: boolean | undefined;
  const gaps: SourceGap[] = [];

  async function call<T>(method: string, params: unknown[]): Promise<T> {
    try {
      return (await provider.send(method, params)) as T;
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
      const raw =
        (
          e as {
            error?: { code?: number; message?: string };
            info?: { error?: { code?: number; message?: string } };
          }
        ).error ?? (e as { info?: { error?: { code?: number; message?: string } } }).info?.error;
      const msg = raw?.message ?? (e as Error).message ?? String(e);
      throw new RpcError(id, method, raw?.code, scrub(String(msg)).slice(0, 300));
    }
  }

  /**
   * What each ranged method is known to accept: `ok` the widest span answered, `bad` the narrowest
   * refused. Kept across calls, so the second address starts at the span the first one found.
   */
  const spans = new Map<string, { ok: number; bad: number }>();

  /** A ranged call (eth_getLogs, trace_filter), split until the node accepts each piece. */
  async function ranged<T>(
    method: string,
    filter: Record<string, unknown>,
    from: number,
    to: number,
  ): Promise<T[]> {
    let st = spans.get(method);
    if (!st) {
      st = { ok: 0, bad: opts.maxBlockRange ? opts.maxBlockRange + 1 : Number.POSITIVE_INFINITY };
      spans.set(method, st);
    }
    const s = st;
    // Nothing refused yet: ask for everything. Else binary search between the widest accepted and
    // the narrowest refused span (from the top when nothing narrower was accepted yet).
    const next = () =>
      s.bad === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : s.ok + 1 >= s.bad
          ? s.ok
          : s.ok === 0
            ? s.bad - 1
            : Math.floor((s.ok + s.bad) / 2);
    const out: T[] = [];
    let start = from;
    let forced: number | undefined;
    while (start <= to) {
      const span = Math.max(1, forced ?? next());
      forced = undefined;
      const end = Math.min(to, start + span - 1);
      const tried = end - start + 1;
      try {
        out.push(...(await call<T[]>(method, [{ ...filter, fromBlock: toHex(start), toBlock: toHex(end) }])));
        s.ok = Math.max(s.ok, tried);
        start = end + 1;
      } catch (e) {
        if (!isRangeRefusal(e)) throw e;
        if (tried === 1)
          throw new UpstreamError(id, `${method}: the node refuses even block ${start}: ${e.rpcMessage}`);
        // Refused at or below a span accepted elsewhere: results are dense here, the old bound is moot.
        if (tried <= s.ok) s.ok = 0;
        s.bad = Math.min(s.bad, tried);
        const hint = suggestedRange(e.rpcMessage);
        if (hint && hint[0] === start && hint[1] >= start && hint[1] < end) forced = hint[1] - start + 1;
        else if (s.ok === 0) forced = Math.floor(tried / 2);
        log(`${id}: ${method} ${start}-${end} refused (${e.rpcMessage}); narrowing the block range`);
      }
    }
    return out;
  }

  const blockTimes = new Map<number, number>();
  const fetchBlockTime = memo(async (n: number) => {
    const b = await call<{ timestamp: string } | null>("eth_getBlockByNumber", [toHex(n), false]);
    if (!b) throw new UpstreamError(id, `block ${n} not found`);
    return hexToNumber(b.timestamp);
  });
  /** Block timestamps; the block scan fills them in as it reads blocks. */
  const blockTime = async (n: number) => blockTimes.get(n) ?? fetchBlockTime(n);

  const receipt = memo(async (hash: string) => {
    const r = await call<RpcReceipt | null>("eth_getTransactionReceipt", [hash]);
    if (!r) throw new UpstreamError(id, `receipt of ${hash} not found`);
    return r;
  });

  /** symbol() and decimals(); a token that reverts or lacks them gets nulls, a failing node an error. */
  const token = memo(async (address: string) => {
    const read = (data: string) =>
      call<string>("eth_call", [{ to: address, data }, "latest"]).catch((e: unknown) => {
        if (e instanceof RpcError) return null;
        throw e;
      });
    const [sym, dec] = await Promise.all([read("0x95d89b41"), read("0x313ce567")]);
    const d = dec && /^0x[0-9a-fA-F]{1,64}$/.test(dec) ? hexToBigInt(dec) : null;
    return {
      symbol: sym ? decodeAbiString(sym) : null,
      decimals: d !== null && d <= 255n ? Number(d) : null,
    };
  });

  const tracesOf = memo(async (hash: string) =>
    fromParity(await call<ParityTrace[]>("trace_transaction", [hash])),
  );

  async function tokenRows(a: string, from: number, to: number): Promise<AccountTransfer[]> {
    const topic = addressToTopic(a);
    const [sent, received] = await Promise.all([
      ranged<RawLog & { removed?: boolean }>("eth_getLogs", { topics: [TRANSFER_TOPIC, topic] }, from, to),
      ranged<RawLog & { removed?: boolean }>(
        "eth_getLogs",
        { topics: [TRANSFER_TOPIC, null, topic] },
        from,
        to,
      ),
    ]);
    const seen = new Set<string>();
    const found: {
      log: RawLog;
      t: NonNullable<ReturnType<typeof decodeErc20Transfer>>;
      blockNumber: number;
    }[] = [];
    for (const log of [...sent, ...received]) {
      if (log.removed) continue;
      const t = decodeErc20Transfer(log);
      if (!t) continue;
      const key = `${log.transactionHash.toLowerCase()}:${t.logIndex}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ log, t, blockNumber: hexToNumber(log.blockNumber) });
    }
    // Issued together so ethers sends them as one batch.
    await Promise.all([
      ...[...new Set(found.map((f) => f.t.token))].map(token),
      ...[...new Set(found.map((f) => f.blockNumber))].map(blockTime),
    ]);
    const rows: AccountTransfer[] = [];
    for (const { log, t, blockNumber } of found) {
      const meta = await token(t.token);
      rows.push({
        chain,
        txid: log.transactionHash.toLowerCase(),
        kind: "token",
        seq: t.logIndex,
        blockNumber,
        blockHash: null,
        blockTime: await blockTime(blockNumber),
        txIndex: hexToNumber(log.transactionIndex),
        logIndex: t.logIndex,
        traceAddress: null,
        from: t.from,
        to: t.to,
        asset: t.token,
        symbol: meta.symbol,
        decimals: meta.decimals,
        value: t.value,
        success: true,
      });
    }
    return rows;
  }

  /** Native, internal and fee rows from the top-level transactions and the internal calls touching `a`. */
  async function valueRows(
    a: string,
    top: Map<string, TopLevel>,
    internalTxs: Map<string, { blockNumber: number; txIndex: number; flat?: FlatTrace[] }>,
  ): Promise<AccountTransfer[]> {
    const rows: AccountTransfer[] = [];
    const eth = { asset: native, symbol: native, decimals: 18 };
    await Promise.all(
      [...top.values()].map(async (t) => {
        const r = await receipt(t.hash);
        const to = t.to ?? r.contractAddress?.toLowerCase() ?? null;
        if (t.from !== a && to !== a) return;
        const success = r.status !== "0x0";
        const base = {
          chain,
          txid: t.hash,
          blockNumber: t.blockNumber,
          blockHash: null,
          blockTime: await blockTime(t.blockNumber),
          txIndex: t.txIndex,
          logIndex: null,
          traceAddress: null,
          ...eth,
        };
        if (t.value > 0n)
          rows.push({ ...base, kind: "native", seq: 0, from: t.from, to, value: t.value, success });
        if (t.from === a) {
          if (r.effectiveGasPrice === undefined)
            throw new UpstreamError(id, `receipt of ${t.hash} has no effectiveGasPrice`);
          const fee = hexToBigInt(r.gasUsed) * hexToBigInt(r.effectiveGasPrice);
          rows.push({ ...base, kind: "fee", seq: 0, from: t.from, to: null, value: fee, success: true });
        }
      }),
    );
    await Promise.all(
      [...internalTxs].map(async ([hash, info]) => {
        const [flat, r] = await Promise.all([info.flat ?? tracesOf(hash), receipt(hash)]);
        const txOk = r.status !== "0x0";
        const blockTimeN = await blockTime(info.blockNumber);
        valueCalls(flat).forEach((c, seq) => {
          if (c.from !== a && c.to !== a) return;
          rows.push({
            chain,
            txid: hash,
            kind: "internal",
            seq,
            blockNumber: info.blockNumber,
            blockHash: null,
            blockTime: blockTimeN,
            txIndex: info.txIndex,
            logIndex: null,
            traceAddress: traceId(c),
            from: c.from,
            to: c.to,
            ...eth,
            value: c.value,
            success: txOk && !c.reverted,
          });
        });
      }),
    );
    return rows;
  }

  async function viaTraceFilter(a: string, from: number, to: number) {
    const [sent, received] = await Promise.all([
      ranged<ParityTrace>("trace_filter", { fromAddress: [a] }, from, to),
      ranged<ParityTrace>("trace_filter", { toAddress: [a] }, from, to),
    ]);
    const top = new Map<string, TopLevel>();
    const internal = new Map<string, { blockNumber: number; txIndex: number }>();
    for (const t of [...sent, ...received]) {
      const hash = t.transactionHash?.toLowerCase();
      if (!hash || t.type === "reward") continue;
      const txIndex = t.transactionPosition ?? hexToNumber((await receipt(hash)).transactionIndex);
      if (t.traceAddress.length === 0) {
        top.set(hash, {
          hash,
          blockNumber: t.blockNumber,
          txIndex,
          from: t.action.from.toLowerCase(),
          to: (t.type === "create" ? t.result?.address : t.action.to)?.toLowerCase() ?? null,
          value: hexToBigInt(t.action.value ?? "0x0"),
        });
      } else if (
        t.type === "call" &&
        (t.action.callType ?? "call") === "call" &&
        hexToBigInt(t.action.value ?? "0x0") > 0n
      ) {
        internal.set(hash, { blockNumber: t.blockNumber, txIndex });
      }
    }
    return { top, internal };
  }

  async function viaScan(a: string, from: number, to: number) {
    if (to - from + 1 > maxScan)
      throw new BadInputError(
        `the node has no trace_filter: scanning ${to - from + 1} blocks exceeds the limit of ${maxScan}; pass a narrower --from-block/--to-block`,
      );
    const top = new Map<string, TopLevel>();
    const internal = new Map<string, { blockNumber: number; txIndex: number; flat?: FlatTrace[] }>();
    const CHUNK = 25;
    for (let s = from; s <= to; s += CHUNK) {
      const nums = Array.from({ length: Math.min(CHUNK, to - s + 1) }, (_, i) => s + i);
      const blocks = await Promise.all(
        nums.map((n) =>
          call<{ timestamp: string; transactions: RpcTx[] } | null>("eth_getBlockByNumber", [toHex(n), true]),
        ),
      );
      await Promise.all(
        blocks.map(async (b, i) => {
          if (!b) throw new UpstreamError(id, `block ${nums[i]} not found`);
          const n = nums[i]!;
          blockTimes.set(n, hexToNumber(b.timestamp));
          await Promise.all(
            b.transactions.map(async (tx) => {
              const hash = tx.hash.toLowerCase();
              const t: TopLevel = {
                hash,
                blockNumber: n,
                txIndex: hexToNumber(tx.transactionIndex),
                from: tx.from.toLowerCase(),
                to: tx.to?.toLowerCase() ?? null,
                value: hexToBigInt(tx.value),
              };
              // A contract creation touches the created address: the receipt says which.
              if (t.from === a || t.to === a || t.to === null) top.set(hash, t);
              if (debugTracing === false) return;
              let flat: FlatTrace[];
              try {
                flat = fromCallTracer(
                  await call<CallFrame>("debug_traceTransaction", [hash, { tracer: "callTracer" }]),
                );
                debugTracing = true;
              } catch (e) {
                if (!isUnsupported(e)) throw e;
                debugTracing = false;
                return;
              }
              if (valueCalls(flat).some((c) => c.from === a || c.to === a))
                internal.set(hash, { blockNumber: n, txIndex: t.txIndex, flat });
            }),
          );
        }),
      );
    }
    if (debugTracing === false) {
      gaps.push({
        address: a,
        fromBlock: from,
        toBlock: to,
        kinds: ["internal"],
        reason: "node has neither trace_filter nor debug_traceTransaction",
      });
      log(
        `${id}: no tracing on this node; internal transfers of ${a} in ${from}-${to} are missing (gap recorded)`,
      );
    }
    return { top, internal };
  }

  async function transfers(addressIn: string, range: BlockRange): Promise<AccountTransfer[]> {
    const a = checkTransfersInput(chain, addressIn, range);
    const { fromBlock, toBlock } = range;

    const flows = async () => {
      if (mode !== "scan") {
        try {
          const r = await viaTraceFilter(a, fromBlock, toBlock);
          mode = "trace_filter";
          return r;
        } catch (e) {
          if (mode === "trace_filter" || !isUnsupported(e)) throw e;
          log(`${id}: trace_filter is not available (${e.rpcMessage}); scanning blocks instead`);
          mode = "scan";
        }
      }
      return viaScan(a, fromBlock, toBlock);
    };
    const [tokens, f] = await Promise.all([tokenRows(a, fromBlock, toBlock), flows()]);
    const values = await valueRows(a, f.top, f.internal);
    return sortTransfers([...tokens, ...values]);
  }

  async function hashAt(height: number): Promise<string | null> {
    const b = await call<{ hash: string } | null>("eth_getBlockByNumber", [toHex(height), false]);
    return b ? b.hash : null;
  }

  return {
    id,
    chain,
    model: "account",
    counter,
    gaps,
    get traceMode() {
      return mode;
    },
    async tip(): Promise<Tip> {
      const height = hexToNumber(await call<string>("eth_blockNumber", []));
      const hash = await hashAt(height);
      if (!hash) throw new UpstreamError(id, `no block at the reported tip ${height}`);
      return { height, hash };
    },
    blockHash: hashAt,
    transfers,
    destroy() {
      provider.destroy();
    },
  };
}
