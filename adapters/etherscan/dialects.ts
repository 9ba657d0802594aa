/**
 * What differs between Etherscan v2 and Blockscout's Etherscan-compatible API; everything else (record
 * windows, the envelope, the mapping to rows) is one implementation.
 *
 * - Etherscan v2: `/v2/api?chainid=…`; block and receipt data through `module=proxy` (JSON-RPC
 *   results in the envelope); internal calls carry a `traceId` ("0_1"), kept as the trace address.
 * - Blockscout: `/api`; block, transaction and logs through its REST API (`/api/v2/…`); internal
 *   calls carry a flat `index` and no trace address (traceAddress is null on its rows).
 */

import { hexToNumber } from "../evm/encoding.ts";
import { compareTraceAddress } from "../evm/traces.ts";
import { memo } from "../memo.ts";
import type { EtherscanApi } from "./api.ts";
import { BlockscoutLogs, BlockscoutTx, type InternalItem, type Log, RpcReceipt } from "./schemas.ts";

/** Chain data a dialect fetches its own way (per-transaction lookups memoised: they never change once confirmed). */
export interface ChainLookups {
  tipHeight(): Promise<number>;
  blockHash(height: number): Promise<string | null>;
  /** Index and status of a transaction the address only meets inside (internal transfers). */
  txInfo(hash: string): Promise<{ txIndex: number; success: boolean }>;
  /** A transaction's logs with their block-level log index (for token records without logIndex). */
  logsOf(hash: string): Promise<Log[]>;
  /** A block's time in Unix seconds (binary searches by time fall back to it). */
  blockTime(height: number): Promise<number>;
  /** `getblocknobytime` (closest=after): the first block at or after a time; null when the API cannot say. */
  firstBlockAtOrAfter(time: number): Promise<number | null>;
}

/**
 * `module=block&action=getblocknobytime&closest=after`: Etherscan answers the block number as a string,
 * Blockscout as `{"blockNumber": "…"}`. "No closest block found" (a time after the newest block, or an
 * index behind) and an API without the action give null: the caller then searches block times itself.
 */
async function blockByTime(
  api: EtherscanApi,
  time: number,
  pick: (result: unknown) => unknown,
): Promise<number | null> {
  const { j } = await api.envelope("block", "getblocknobytime", { timestamp: time, closest: "after" });
  const n = j.status === "1" ? pick(j.result) : undefined;
  if (typeof n === "string" && /^[0-9]+$/.test(n)) return Number(n);
  api.log(`${api.id}: no block by time ${time} (${String(j.message ?? "")}: ${JSON.stringify(j.result)})`);
  return null;
}

export interface Dialect {
  /** Source id for sync cursors and stored responses. */
  id: "etherscan" | "blockscout";
  apiPath: string;
  defaultRps: number;
  query(module: string, action: string): Record<string, string | number>;
  lookups(api: EtherscanApi): ChainLookups;
  /** A transaction's value-carrying internal calls in trace order. */
  orderCalls(calls: InternalItem[]): InternalItem[];
  /** Where a listed call sits in its transaction's ordered calls; undefined when only (from, to, value) can tell. */
  position(calls: InternalItem[], call: InternalItem): number | undefined;
  traceAddress(call: InternalItem): string | null;
}

const traceParts = (id: string) => id.split("_").map(Number);

export function etherscanV2(chainId: number): Dialect {
  const withIds = (calls: InternalItem[]) => calls.every((c) => c.traceId !== undefined);
  return {
    id: "etherscan",
    apiPath: "/v2/api",
    defaultRps: 5,
    query: (module, action) => ({ chainid: chainId, module, action }),
    orderCalls: (calls) =>
      withIds(calls)
        ? [...calls].sort((x, y) => compareTraceAddress(traceParts(x.traceId!), traceParts(y.traceId!)))
        : calls,
    position: (calls, call) =>
      call.traceId !== undefined && withIds(calls)
        ? calls.findIndex((x) => x.traceId === call.traceId)
        : undefined,
    traceAddress: (call) => call.traceId ?? null,
    lookups(api) {
      const receipt = memo(async (hash: string) => {
        const { j } = await api.envelope(
          "proxy",
          "eth_getTransactionReceipt",
          { txhash: hash },
          { store: true, reuse: true },
        );
        const rpc = j as { result?: unknown; error?: { message?: string } };
        if (rpc.result === null || rpc.result === undefined || typeof rpc.result === "string") {
          const text = String(rpc.error?.message ?? rpc.result ?? "not found");
          throw api.error(`receipt of ${hash}: ${text}`, new Error(text));
        }
        return api.parse(RpcReceipt, rpc.result, "receipt");
      });
      const block = async (height: number) => {
        const { j } = await api.envelope("proxy", "eth_getBlockByNumber", {
          tag: `0x${height.toString(16)}`,
          boolean: "false",
        });
        const res = j.result as { hash?: unknown; timestamp?: unknown } | null;
        if (res === null) return null;
        if (
          res &&
          typeof res === "object" &&
          typeof res.hash === "string" &&
          typeof res.timestamp === "string"
        )
          return { hash: res.hash, time: hexToNumber(res.timestamp) };
        throw api.failure(`block ${height}`, j);
      };
      return {
        tipHeight: () => api.quantity("proxy", "eth_blockNumber", "block number"),
        blockHash: async (height) => (await block(height))?.hash ?? null,
        blockTime: memo(async (height: number) => {
          const b = await block(height);
          if (!b) throw api.error(`no block ${height}`, new Error("eth_getBlockByNumber answered null"));
          return b.time;
        }),
        firstBlockAtOrAfter: (time) => blockByTime(api, time, (r) => r),
        txInfo: async (hash) => {
          const r = await receipt(hash);
          return { txIndex: hexToNumber(r.transactionIndex), success: r.status !== "0x0" };
        },
        logsOf: async (hash) => (await receipt(hash)).logs,
      };
    },
  };
}

export const blockscout: Dialect = {
  id: "blockscout",
  apiPath: "/api",
  defaultRps: 10,
  query: (module, action) => ({ module, action }),
  orderCalls: (calls) => [...calls].sort((x, y) => Number(x.index ?? 0) - Number(y.index ?? 0)),
  position: (calls, call) => calls.findIndex((x) => x.index === call.index),
  traceAddress: () => null,
  lookups(api) {
    const block = async (height: number) => {
      const r = await api.rest<{ hash?: string; timestamp?: string }>(`/api/v2/blocks/${height}`, {
        accept: [404],
      });
      if (r.status === 404) return null;
      const time = Date.parse(r.data?.timestamp ?? "");
      if (typeof r.data?.hash !== "string" || Number.isNaN(time))
        throw api.error(`block ${height}: no hash or timestamp in answer`, new Error(r.body.slice(0, 200)));
      return { hash: r.data.hash, time: Math.floor(time / 1000) };
    };
    return {
      tipHeight: () => api.quantity("block", "eth_block_number", "block number"),
      blockHash: async (height) => (await block(height))?.hash ?? null,
      blockTime: memo(async (height: number) => {
        const b = await block(height);
        if (!b) throw api.error(`no block ${height}`, new Error("HTTP 404"));
        return b.time;
      }),
      firstBlockAtOrAfter: (time) =>
        blockByTime(api, time, (r) =>
          r && typeof r === "object" ? (r as { blockNumber?: unknown }).blockNumber : r,
        ),
      txInfo: memo(async (hash) => {
        const r = await api.rest<unknown>(`/api/v2/transactions/${hash}`, { reuse: true, store: true });
        const t = api.parse(BlockscoutTx, r.data, "transaction");
        return { txIndex: t.position, success: t.status !== "error" };
      }),
      logsOf: memo(async (hash) => {
        const out: Log[] = [];
        let query: Record<string, string | number> | undefined;
        for (let page = 0; page < 1000; page++) {
          const r = await api.rest<unknown>(`/api/v2/transactions/${hash}/logs`, {
            query,
            reuse: true,
            store: true,
          });
          const b = api.parse(BlockscoutLogs, r.data, "log page");
          for (const l of b.items)
            out.push({
              address: typeof l.address === "string" ? l.address : l.address.hash,
              topics: l.topics.filter((t): t is string => t !== null),
              data: l.data,
              logIndex: `0x${l.index.toString(16)}`,
            });
          if (!b.next_page_params) return out;
          query = { ...b.next_page_params };
        }
        throw api.error(`logs of ${hash}: too many pages`, new Error("more than 1000 log pages"));
      }),
    };
  },
};
