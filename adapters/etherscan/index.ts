/**
 * Etherscan v2 (`/v2/api?chainid=…`) and Blockscout-compatible (`/api?module=account…`) APIs as an
 * AccountSource: native (txlist), internal (txlistinternal) and ERC-20 (tokentx) transfers, plus fees.
 *
 * Paging is by block windows, never by page number: a list answer is capped at the record window
 * (10,000; 1,000 on Etherscan free keys from 2026-07), so when an answer is full the rows of its last
 * block are dropped and the next request starts at that block. When a single block alone fills the
 * window, the same block is read ascending and descending and the two halves are joined at their
 * overlap; if they do not overlap (more than two windows in one block) the call fails loudly instead
 * of returning a silently truncated history.
 *
 * Rows match the JSON-RPC adapter exactly (see adapters/evm-rpc/shared.ts for the order):
 * - native: the top-level value of a transaction from/to the address (failed ones kept, success=false);
 * - internal: value-carrying CALLs below the top level; seq is the position among the transaction's
 *   value-carrying calls in trace order, which needs the whole transaction's list
 *   (`txlistinternal&txhash=`), since the address listing only holds the calls touching the address;
 * - token: ERC-20 Transfer logs; Etherscan's tokentx has no log index (nor had Blockscout's before
 *   2023), so it is then taken from the receipt (`module=proxy&action=eth_getTransactionReceipt`;
 *   Blockscout: `/api/v2/transactions/:hash/logs`), matching (token, from, to, value) in log order;
 * - fee: gasUsed × gasPrice (Etherscan's txlist gasPrice is the effective price) for transactions the
 *   address sent.
 * txlistinternal has no transaction index: it comes from txlist when the transaction is there, else
 * from the receipt (Etherscan) or `/api/v2/transactions/:hash` (Blockscout), which also give the
 * transaction's status. Blockscout's internal listing has a flattened `index` but no trace address,
 * so traceAddress is null for Blockscout rows (seq is still exact).
 *
 * blockHash is null on every row: callers ingest only up to tip minus a confirmation depth, so rows
 * never need a reorg check. The API key travels only as the `apikey` query parameter (secretQuery):
 * it never enters a logged or stored URL, and every message is scrubbed of it.
 */
import { z } from "zod";
import type { AccountTransfer } from "../../src/domain.ts";
import { BadInputError, UpstreamError } from "../../src/errors.ts";
import { redactSecrets } from "../../src/redact.ts";
import {
  checkTransfersInput,
  decodeErc20Transfer,
  hexToNumber,
  memo,
  sortTransfers,
} from "../evm-rpc/shared.ts";
import { type GetOptions, HttpClient, type HttpClientOptions } from "../http.ts";
import type { FailureInfo } from "../retry.ts";
import type { AccountSource, BlockRange, Tip } from "../source.ts";

export type EtherscanFlavor = "etherscan-v2" | "blockscout";

/** Etherscan's record window on paid keys (and Blockscout's page-size maximum). */
export const ETHERSCAN_RECORD_WINDOW = 10_000;
/** Etherscan's record window on free keys from July 2026. */
export const ETHERSCAN_FREE_RECORD_WINDOW = 1_000;
const KNOWN_CAPS = [ETHERSCAN_FREE_RECORD_WINDOW, ETHERSCAN_RECORD_WINDOW];

export interface EtherscanSourceOptions extends Omit<HttpClientOptions, "source" | "baseUrl" | "secrets"> {
  /** API root (https://api.etherscan.io, https://eth.blockscout.com); a trailing /v2/api or /api is accepted. */
  baseUrl: string;
  apiKey?: string;
  /** Etherscan v2 chain id; default 1. */
  chainId?: number;
  /** Chain name stored on rows; default "ethereum". */
  chain?: string;
  flavor?: EtherscanFlavor;
  /** Most records one answer may hold; default 10,000 (set 1,000 for Etherscan free keys). */
  recordWindow?: number;
  /** Native asset symbol; default "ETH". */
  nativeSymbol?: string;
  /** Receives one line per upstream list request (URLs are redacted). */
  log?: (line: string) => void;
}

// ------------------------------------------------------------------ upstream shapes

const Dec = z.string().regex(/^[0-9]+$/, "not a decimal integer");
const Hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "not a 32-byte hash");
const Addr = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "not an address");
const AddrOrEmpty = z.union([Addr, z.literal("")]);
const ErrFlag = z.enum(["0", "1"]);

const TxItem = z.object({
  blockNumber: Dec,
  timeStamp: Dec,
  hash: Hash,
  transactionIndex: Dec,
  from: Addr,
  to: AddrOrEmpty,
  value: Dec,
  gasPrice: Dec,
  gasUsed: Dec,
  isError: ErrFlag,
  txreceipt_status: z.string().optional(),
  contractAddress: AddrOrEmpty.optional(),
});
type TxItem = z.output<typeof TxItem>;

const InternalItem = z.object({
  blockNumber: Dec,
  timeStamp: Dec,
  hash: Hash.optional(),
  transactionHash: Hash.optional(),
  from: Addr,
  to: AddrOrEmpty,
  value: Dec,
  type: z.string(),
  callType: z.string().optional(),
  traceId: z.string().optional(),
  index: Dec.optional(),
  isError: ErrFlag,
});
type InternalItem = z.output<typeof InternalItem>;

const TokenItem = z.object({
  blockNumber: Dec,
  timeStamp: Dec,
  hash: Hash,
  from: Addr,
  to: Addr,
  contractAddress: Addr,
  value: Dec,
  tokenSymbol: z.string().nullish(),
  tokenDecimal: z.string().nullish(),
  transactionIndex: Dec,
  logIndex: Dec.optional(),
});
type TokenItem = z.output<typeof TokenItem>;

const RpcReceipt = z.object({
  transactionIndex: z.string(),
  status: z.string().optional(),
  logs: z.array(
    z.object({ address: z.string(), topics: z.array(z.string()), data: z.string(), logIndex: z.string() }),
  ),
});

const BlockscoutTx = z.object({
  position: z.number().int(),
  status: z.string().nullish(),
});

const BlockscoutLogs = z.object({
  items: z.array(
    z.object({
      address: z.union([z.string(), z.object({ hash: z.string() })]),
      topics: z.array(z.string().nullable()),
      data: z.string(),
      index: z.number().int(),
    }),
  ),
  next_page_params: z.record(z.string(), z.union([z.string(), z.number()])).nullish(),
});

type Action = "txlist" | "txlistinternal" | "tokentx";

interface Envelope {
  status?: unknown;
  message?: unknown;
  result?: unknown;
}

/** Etherscan (and Blockscout) say "you are throttled" inside a 200 answer: retry it like a 429. */
export function throttleCheck(body: string): FailureInfo | undefined {
  let j: Envelope;
  try {
    j = JSON.parse(body) as Envelope;
  } catch {
    return undefined;
  }
  if (!j || typeof j !== "object" || j.status !== "0") return undefined;
  const text = `${typeof j.message === "string" ? j.message : ""} ${typeof j.result === "string" ? j.result : ""}`;
  return /rate limit/i.test(text) ? { throttled: true } : undefined;
}

const isCall = (i: InternalItem) =>
  i.type.toLowerCase() === "call" && (i.callType === undefined || i.callType === "" || i.callType === "call");

const traceParts = (id: string) => id.split("_").map(Number);
function compareTraceIds(a: string, b: string): number {
  const x = traceParts(a);
  const y = traceParts(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** Identity of a list record for joining two halves of one block (confirmations change as the chain grows). */
function recordKey(item: unknown): string {
  const { confirmations: _c, ...rest } = item as Record<string, unknown>;
  return JSON.stringify(rest);
}

export function createEtherscanSource(opts: EtherscanSourceOptions): AccountSource {
  const flavor = opts.flavor ?? "etherscan-v2";
  const es = flavor === "etherscan-v2";
  const id = es ? "etherscan" : "blockscout";
  const chain = opts.chain ?? "ethereum";
  const chainId = opts.chainId ?? 1;
  const native = opts.nativeSymbol ?? "ETH";
  // Narrowed when the API says its window is smaller ("… must be less than or equal to 1000").
  let window = opts.recordWindow ?? ETHERSCAN_RECORD_WINDOW;
  if (!Number.isInteger(window) || window < 1)
    throw new BadInputError(`recordWindow must be a positive integer`);
  const root = opts.baseUrl.replace(/\/+$/, "").replace(/\/(v2\/)?api$/, "");
  const apiPath = es ? "/v2/api" : "/api";
  const secrets = [opts.apiKey];
  // Only transport settings go to the HTTP layer; the key reaches it solely as a secret query parameter.
  const http = new HttpClient({
    source: id,
    baseUrl: root,
    rps: opts.rps ?? (es ? 5 : 10),
    concurrency: opts.concurrency ?? 4,
    timeoutMs: opts.timeoutMs,
    retry: opts.retry,
    responses: opts.responses,
    counter: opts.counter,
    headers: opts.headers,
    sleep: opts.sleep,
    secrets,
  });
  const scrub = (s: string) => redactSecrets(s, secrets);
  const log = opts.log ?? (() => {});

  // Blockscout needs no key but takes one (higher rate limits), under the same name.
  const secretQuery: GetOptions["secretQuery"] = opts.apiKey ? { apikey: opts.apiKey } : undefined;
  const baseQuery = (module: string, action: string): Record<string, string | number> =>
    es ? { chainid: chainId, module, action } : { module, action };

  /** Turns an error envelope into a typed error; "Query Timeout" is returned for the caller to split. */
  function envelopeError(what: string, j: Envelope): Error | "timeout" {
    const msg = typeof j.message === "string" ? j.message : "";
    const res = typeof j.result === "string" ? j.result : "";
    const text = scrub([msg, res].filter(Boolean).join(": ").slice(0, 300));
    if (/api[ -]?key/i.test(text))
      return new BadInputError(`${id}: the API key was refused (${text})`, {}, "UNAUTHORIZED");
    if (/invalid address/i.test(text))
      return new BadInputError(`${id}: ${what}: ${text}`, {}, "INVALID_ADDRESS");
    if (/timeout|timed out/i.test(text)) return "timeout";
    return new UpstreamError(id, `${what}: ${text || "unexpected answer"}`);
  }

  async function getEnvelope(query: Record<string, string | number>, store: boolean, reuse = false) {
    const r = await http.getJson<Envelope>(apiPath, {
      query,
      secretQuery,
      check: throttleCheck,
      store,
      reuse,
    });
    return { j: r.data ?? {}, url: r.url };
  }

  function parse<T>(schema: z.ZodType<T>, v: unknown, what: string): T {
    const r = schema.safeParse(v);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new UpstreamError(id, `unexpected ${what} record: ${i?.path.join(".")}: ${i?.message}`);
    }
    return r.data;
  }

  /** One list request; "timeout" when the API asks for a smaller query. */
  async function listPage(
    action: Action,
    address: string,
    start: number,
    end: number,
    sort: "asc" | "desc",
  ): Promise<unknown[] | "timeout"> {
    const query = {
      ...baseQuery("account", action),
      address,
      startblock: start,
      endblock: end,
      page: 1,
      offset: window,
      sort,
    };
    const { j, url } = await getEnvelope(query, true);
    if (Array.isArray(j.result)) {
      if (j.result.length > window)
        throw new UpstreamError(
          id,
          `${action} returned ${j.result.length} records, more than the window ${window}`,
        );
      log(`${id}: ${url} -> ${j.result.length} record(s)`);
      return j.result;
    }
    const cap = /less than or equal to ([0-9]+)/i.exec(typeof j.result === "string" ? j.result : "");
    if (cap && Number(cap[1]) >= 1 && Number(cap[1]) < query.offset) {
      window = Math.min(window, Number(cap[1]));
      log(`${id}: ${url} -> the record window is ${window}; asking again`);
      return listPage(action, address, start, end, sort);
    }
    const err = envelopeError(action, j);
    if (err === "timeout") {
      log(`${id}: ${url} -> query timeout, splitting`);
      return "timeout";
    }
    throw err;
  }

  /**
   * A page that may have been cut at the window. Also the usual caps (1,000; 10,000) when the
   * configured window is larger: an API capping below its stated window must not truncate silently.
   */
  const maybeCapped = (n: number) => n >= window || (n > 0 && KNOWN_CAPS.includes(n));

  const blockOf = (item: unknown) => Number((item as { blockNumber?: string }).blockNumber);

  /** A block that alone fills the window: join its first and last windows at their overlap. */
  async function wholeBlock(
    action: Action,
    address: string,
    block: number,
    asc: unknown[],
  ): Promise<unknown[]> {
    const d = await listPage(action, address, block, block, "desc");
    if (d === "timeout") throw new UpstreamError(id, `${action}: block ${block} times out`);
    const desc = [...d].reverse();
    const A = asc.map(recordKey);
    const D = desc.map(recordKey);
    const fits: number[] = [];
    for (let k = 0; k < A.length; k++) {
      const n = A.length - k;
      if (n > D.length) continue;
      let ok = true;
      for (let i = 0; i < n && ok; i++) ok = A[k + i] === D[i];
      if (ok) fits.push(k);
    }
    if (fits.length !== 1)
      throw new UpstreamError(
        id,
        fits.length === 0
          ? `${action}: block ${block} holds more than ${2 * window} records for ${address}; the API cannot list them all`
          : `${action}: block ${block} fills the ${window}-record window with records that cannot be told apart`,
      );
    return [...asc.slice(0, fits[0]), ...desc];
  }

  /** Every record of `action` for the address in [from, to], in block order, never truncated. */
  async function listAll(
    action: Action,
    address: string,
    from: number,
    to: number,
    stop: { now: boolean },
  ): Promise<unknown[]> {
    const out: unknown[] = [];
    const todo: [number, number][] = [[from, to]];
    while (todo.length > 0) {
      // A sibling list failed: the whole call fails, so stop asking.
      if (stop.now) throw new UpstreamError(id, `${action}: cancelled`);
      const [s, e] = todo.shift()!;
      const page = await listPage(action, address, s, e, "asc");
      if (page === "timeout") {
        if (s === e) throw new UpstreamError(id, `${action}: block ${s} times out`);
        const m = Math.floor((s + e) / 2);
        todo.unshift([s, m], [m + 1, e]);
        continue;
      }
      let prev = s;
      for (const item of page) {
        const b = blockOf(item);
        if (!Number.isInteger(b) || b < prev || b > e)
          throw new UpstreamError(id, `${action}: records out of block order or range ${s}-${e}`);
        prev = b;
      }
      if (!maybeCapped(page.length)) {
        out.push(...page);
        continue;
      }
      const last = blockOf(page[page.length - 1]);
      if (last > s) {
        // The last block may be cut short: keep what precedes it and ask again from it.
        out.push(...page.filter((i) => blockOf(i) < last));
        todo.unshift([last, e]);
        continue;
      }
      out.push(...(await wholeBlock(action, address, s, page)));
      if (s < e) todo.unshift([s + 1, e]);
    }
    return out;
  }

  // Per-transaction lookups never change once confirmed: memoised here and kept in the response store.
  type Log = { address: string; topics: string[]; data: string; logIndex: string };

  const receipt = memo(async (hash: string) => {
    const { j } = await getEnvelope(
      { ...baseQuery("proxy", "eth_getTransactionReceipt"), txhash: hash },
      true,
      true,
    );
    const rpc = j as { result?: unknown; error?: { message?: string } };
    if (rpc.result === null || rpc.result === undefined || typeof rpc.result === "string")
      throw new UpstreamError(
        id,
        `receipt of ${hash}: ${scrub(String(rpc.error?.message ?? rpc.result ?? "not found"))}`,
      );
    return parse(RpcReceipt, rpc.result, "receipt");
  });

  /** Index and status of a transaction the address only meets inside (internal transfers). */
  const txInfo = memo(async (hash: string): Promise<{ txIndex: number; success: boolean }> => {
    if (es) {
      const r = await receipt(hash);
      return { txIndex: hexToNumber(r.transactionIndex), success: r.status !== "0x0" };
    }
    const r = await http.getJson<unknown>(`/api/v2/transactions/${hash}`, {
      check: throttleCheck,
      reuse: true,
      store: true,
    });
    const t = parse(BlockscoutTx, r.data, "transaction");
    return { txIndex: t.position, success: t.status !== "error" };
  });

  /** A transaction's logs with their block-level log index (for tokentx records without logIndex). */
  const logsOf = memo(async (hash: string): Promise<Log[]> => {
    if (es) return (await receipt(hash)).logs;
    const out: Log[] = [];
    let query: Record<string, string | number> | undefined;
    for (let page = 0; page < 1000; page++) {
      const r = await http.getJson<unknown>(`/api/v2/transactions/${hash}/logs`, {
        query,
        check: throttleCheck,
        reuse: true,
        store: true,
      });
      const b = parse(BlockscoutLogs, r.data, "log page");
      for (const l of b.items)
        out.push({
          address: typeof l.address === "string" ? l.address : l.address.hash,
          topics: l.topics.filter((t): t is string => t !== null),
          data: l.data,
          logIndex: `0x${l.index.toString(16)}`,
        });
      if (!b.next_page_params) return out;
      query = Object.fromEntries(Object.entries(b.next_page_params).map(([k, v]) => [k, v]));
    }
    throw new UpstreamError(id, `logs of ${hash}: too many pages`);
  });

  /** All internal transactions of one transaction, in the API's order. */
  const internalsOfTx = memo(async (hash: string): Promise<InternalItem[]> => {
    const { j } = await getEnvelope({ ...baseQuery("account", "txlistinternal"), txhash: hash }, true, true);
    if (!Array.isArray(j.result)) {
      const err = envelopeError(`txlistinternal of ${hash}`, j);
      throw err === "timeout" ? new UpstreamError(id, `txlistinternal of ${hash} timed out`) : err;
    }
    return j.result.map((x) => parse(InternalItem, x, "internal transaction"));
  });

  async function blockNumberHex(): Promise<string> {
    const q = es ? baseQuery("proxy", "eth_blockNumber") : { module: "block", action: "eth_block_number" };
    const { j } = await getEnvelope(q, false);
    const res = (j as { result?: unknown }).result;
    if (typeof res !== "string" || !/^0x[0-9a-fA-F]+$/.test(res)) {
      const err = envelopeError("block number", j);
      throw err === "timeout" ? new UpstreamError(id, "block number timed out") : err;
    }
    return res;
  }

  async function hashAt(height: number): Promise<string | null> {
    if (es) {
      const { j } = await getEnvelope(
        { ...baseQuery("proxy", "eth_getBlockByNumber"), tag: `0x${height.toString(16)}`, boolean: "false" },
        false,
      );
      const res = (j as { result?: unknown }).result;
      if (res === null) return null;
      if (res && typeof res === "object" && typeof (res as { hash?: unknown }).hash === "string")
        return (res as { hash: string }).hash;
      const err = envelopeError(`block ${height}`, j);
      throw err === "timeout" ? new UpstreamError(id, `block ${height} timed out`) : err;
    }
    const r = await http.getJson<{ hash?: string }>(`/api/v2/blocks/${height}`, {
      accept: [404],
      check: throttleCheck,
    });
    if (r.status === 404) return null;
    if (typeof r.data?.hash !== "string") throw new UpstreamError(id, `block ${height}: no hash in answer`);
    return r.data.hash;
  }

  async function transfers(addressIn: string, range: BlockRange): Promise<AccountTransfer[]> {
    const a = checkTransfersInput(chain, addressIn, range);
    const { fromBlock, toBlock } = range;

    const stop = { now: false };
    const list = (action: Action) =>
      listAll(action, a, fromBlock, toBlock, stop).catch((e: unknown) => {
        stop.now = true;
        throw e;
      });
    const [rawTxs, rawInternal, rawTokens] = await Promise.all([
      list("txlist"),
      list("txlistinternal"),
      list("tokentx"),
    ]);
    const rows: AccountTransfer[] = [];
    const eth = { asset: native, symbol: native, decimals: 18 };
    const known = new Map<string, { txIndex: number; success: boolean }>();

    const seenTx = new Set<string>();
    for (const raw of rawTxs) {
      const t: TxItem = parse(TxItem, raw, "txlist");
      const hash = t.hash.toLowerCase();
      if (seenTx.has(hash)) continue;
      seenTx.add(hash);
      const from = t.from.toLowerCase();
      const to = (t.to === "" ? t.contractAddress || "" : t.to).toLowerCase() || null;
      const success = t.isError === "0" && t.txreceipt_status !== "0";
      const base = {
        chain,
        txid: hash,
        blockNumber: Number(t.blockNumber),
        blockHash: null,
        blockTime: Number(t.timeStamp),
        txIndex: Number(t.transactionIndex),
        logIndex: null,
        traceAddress: null,
        ...eth,
      };
      known.set(hash, { txIndex: base.txIndex, success });
      const value = BigInt(t.value);
      if (value > 0n && (from === a || to === a))
        rows.push({ ...base, kind: "native", seq: 0, from, to, value, success });
      if (from === a)
        rows.push({
          ...base,
          kind: "fee",
          seq: 0,
          from,
          to: null,
          value: BigInt(t.gasUsed) * BigInt(t.gasPrice),
          success: true,
        });
    }

    // Internal: group the address's value-carrying calls by transaction, then place each in its tx's list.
    const byTx = new Map<string, InternalItem[]>();
    const seenCall = new Set<string>();
    for (const raw of rawInternal) {
      const i = parse(InternalItem, raw, "txlistinternal");
      const hash = (i.hash ?? i.transactionHash)?.toLowerCase();
      if (!hash) throw new UpstreamError(id, "internal transaction without a transaction hash");
      if (!isCall(i) || BigInt(i.value) === 0n) continue;
      // A call from the address to itself may be listed once per side.
      const ident = i.traceId ?? i.index;
      if (ident !== undefined) {
        if (seenCall.has(`${hash}:${ident}`)) continue;
        seenCall.add(`${hash}:${ident}`);
      }
      const list = byTx.get(hash) ?? [];
      list.push(i);
      byTx.set(hash, list);
    }
    await Promise.all(
      [...byTx].map(async ([hash, mine]) => {
        const full = (await internalsOfTx(hash)).filter((x) => isCall(x) && BigInt(x.value) > 0n);
        if (!es) full.sort((x, y) => Number(x.index ?? 0) - Number(y.index ?? 0));
        else if (full.every((x) => x.traceId !== undefined))
          full.sort((x, y) => compareTraceIds(x.traceId!, y.traceId!));
        const info = known.get(hash) ?? (await txInfo(hash));
        const seen = new Map<string, number>();
        const used = new Set<number>();
        for (const i of mine) {
          let pos: number;
          if (!es) pos = full.findIndex((x) => x.index === i.index);
          else if (i.traceId !== undefined && full.every((x) => x.traceId !== undefined))
            pos = full.findIndex((x) => x.traceId === i.traceId);
          else {
            // The k-th (from, to, value) call touching the address is the k-th such call of the tx.
            const key = `${i.from}|${i.to}|${i.value}`.toLowerCase();
            const k = seen.get(key) ?? 0;
            seen.set(key, k + 1);
            pos = -1;
            for (let n = 0, j = 0; j < full.length; j++) {
              const x = full[j]!;
              if (`${x.from}|${x.to}|${x.value}`.toLowerCase() === key && n++ === k) {
                pos = j;
                break;
              }
            }
          }
          if (pos < 0 || used.has(pos))
            throw new UpstreamError(
              id,
              `internal transfer of ${hash} not found in the transaction's own listing`,
            );
          used.add(pos);
          rows.push({
            chain,
            txid: hash,
            kind: "internal",
            seq: pos,
            blockNumber: Number(i.blockNumber),
            blockHash: null,
            blockTime: Number(i.timeStamp),
            txIndex: info.txIndex,
            logIndex: null,
            traceAddress: es ? (i.traceId ?? null) : null,
            from: i.from.toLowerCase(),
            to: i.to.toLowerCase() || null,
            ...eth,
            value: BigInt(i.value),
            success: i.isError === "0" && info.success,
          });
        }
      }),
    );

    // Tokens: log index from the record when the API gives it, else from the receipt.
    const tokensByTx = new Map<string, TokenItem[]>();
    for (const raw of rawTokens) {
      const t = parse(TokenItem, raw, "tokentx");
      const hash = t.hash.toLowerCase();
      const list = tokensByTx.get(hash) ?? [];
      list.push(t);
      tokensByTx.set(hash, list);
    }
    const seenLog = new Set<string>();
    await Promise.all(
      [...tokensByTx].map(async ([hash, mine]) => {
        let fromReceipt: number[] | undefined;
        if (mine.some((t) => t.logIndex === undefined)) {
          const logs = (await logsOf(hash))
            .map((l) => decodeErc20Transfer(l))
            .filter((l): l is NonNullable<typeof l> => l !== undefined);
          const seen = new Map<string, number>();
          fromReceipt = mine.map((t) => {
            const key = `${t.contractAddress}|${t.from}|${t.to}|${t.value}`.toLowerCase();
            const k = seen.get(key) ?? 0;
            seen.set(key, k + 1);
            const match = logs.filter((l) => `${l.token}|${l.from}|${l.to}|${l.value}` === key)[k];
            if (!match) throw new UpstreamError(id, `token transfer of ${hash} not found in its receipt`);
            return match.logIndex;
          });
        }
        mine.forEach((t, n) => {
          const logIndex = t.logIndex !== undefined ? Number(t.logIndex) : fromReceipt![n]!;
          // A transfer from the address to itself is listed once per side by some explorers.
          if (seenLog.has(`${hash}:${logIndex}`)) return;
          seenLog.add(`${hash}:${logIndex}`);
          const decimals =
            t.tokenDecimal !== undefined && t.tokenDecimal !== null && /^[0-9]+$/.test(t.tokenDecimal);
          rows.push({
            chain,
            txid: hash,
            kind: "token",
            seq: logIndex,
            blockNumber: Number(t.blockNumber),
            blockHash: null,
            blockTime: Number(t.timeStamp),
            txIndex: Number(t.transactionIndex),
            logIndex,
            traceAddress: null,
            from: t.from.toLowerCase(),
            to: t.to.toLowerCase(),
            asset: t.contractAddress.toLowerCase(),
            symbol: t.tokenSymbol || null,
            decimals: decimals ? Number(t.tokenDecimal) : null,
            value: BigInt(t.value),
            success: true,
          });
        });
      }),
    );
    return sortTransfers(rows);
  }

  return {
    id,
    chain,
    model: "account",
    counter: http.counter,

    async tip(): Promise<Tip> {
      const height = Number.parseInt((await blockNumberHex()).slice(2), 16);
      const hash = await hashAt(height);
      if (!hash) throw new UpstreamError(id, `no block at the reported tip ${height}`);
      return { height, hash };
    },

    blockHash: hashAt,
    transfers,
  };
}
