/**
 * TronGrid (https://api.trongrid.io, or any host speaking its v1 API and java-tron's HTTP API) as an
 * AccountSource: TRX, TRC-10 and TRC-20 transfers, internal TRX, and fees of the account's own
 * transactions (./history.ts, ./rows.ts).
 *
 * - The tip is the solidified (confirmed) head: the v1 lists are asked with only_confirmed=true, so
 *   nothing above it can be listed, and nothing below it can change.
 * - The API key travels only as the TRON-PRO-API-KEY header: never in a URL (stored or logged), and
 *   every message and error cause is scrubbed of it.
 * - 429, 5xx and "frequency limit" answers are retried with backoff by the shared transport.
 */
import type { AccountTransfer } from "../../src/domain.ts";
import { BadInputError } from "../../src/errors.ts";
import type { AccountSource, BlockRange, Tip, TransfersOptions } from "../source.ts";
import { transfersInWindow, WindowBlocks } from "../time-window.ts";
import { Transport, type TransportOptions } from "../transport.ts";
import { TronApi } from "./api.ts";
import { type History, HistoryReader } from "./history.ts";
import { checkTronInput, sortRows } from "./rows.ts";

export { createTronNodeSource } from "./node.ts";
export { checkTronInput };

export const TRONGRID_URL = "https://api.trongrid.io";
export const TRONGRID_PAGE_SIZE = 200;
/** Histories kept for the next chunks of an ingest or a trace. */
const KEEP_HISTORIES = 16;

export interface TronGridSourceOptions
  extends Omit<TransportOptions, "source" | "baseUrl" | "secrets" | "headers"> {
  /** Default https://api.trongrid.io. */
  baseUrl?: string;
  apiKey?: string;
  /** Items per list page (1–200); default 200. */
  pageSize?: number;
}

export function createTronGridSource(opts: TronGridSourceOptions = {}): AccountSource {
  const id = "trongrid";
  const pageSize = opts.pageSize ?? TRONGRID_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > TRONGRID_PAGE_SIZE)
    throw new BadInputError(`pageSize must be 1 to ${TRONGRID_PAGE_SIZE}, got ${pageSize}`);
  const { apiKey, pageSize: _p, baseUrl, ...rest } = opts;
  const transport = new Transport({
    ...rest,
    source: id,
    baseUrl: baseUrl ?? TRONGRID_URL,
    secrets: [apiKey],
    headers: apiKey ? { "TRON-PRO-API-KEY": apiKey } : undefined,
  });
  const api = new TronApi(id, transport);
  const reader = new HistoryReader(api, { pageSize });
  const histories = new Map<string, History>();
  let lastTip: Tip | undefined;

  async function tip(): Promise<Tip> {
    const b = await api.nowBlock("/walletsolidity/getnowblock");
    lastTip = { height: b.block_header.raw_data.number ?? 0, hash: b.blockID };
    return lastTip;
  }

  async function history(a: string, range: BlockRange): Promise<History> {
    const h = histories.get(a);
    if (h?.covers(range.fromBlock, range.toBlock)) return h;
    const top = lastTip && lastTip.height >= range.toBlock ? lastTip : await tip();
    const fresh = await reader.walk(a, range.fromBlock, top.height);
    histories.delete(a);
    histories.set(a, fresh);
    while (histories.size > KEEP_HISTORIES) histories.delete(histories.keys().next().value!);
    return fresh;
  }

  // the v1 lists page newest first by fingerprint: a window narrows how far down the walk goes
  const windows = new WindowBlocks({ tipHeight: async () => (await tip()).height, blockTime: api.blockTime });

  async function transfers(
    address: string,
    whole: BlockRange,
    opts?: TransfersOptions,
  ): Promise<AccountTransfer[]> {
    const a = checkTronInput(address, whole);
    const range = await windows.narrow(whole, opts?.window);
    if (!range) return [];
    const h = await history(a, range);
    if (range.toBlock > h.coverTo)
      opts?.onGap?.({
        address: a,
        fromBlock: h.coverTo + 1,
        toBlock: range.toBlock,
        kinds: ["native", "internal", "token", "fee"],
        reason: "not confirmed yet",
      });
    const rows = await reader.rows(h, range.fromBlock, Math.min(range.toBlock, h.coverTo), (g) =>
      opts?.onGap?.(g),
    );
    return transfersInWindow(sortRows(rows), opts?.window);
  }

  return {
    id,
    chain: "tron",
    model: "account",
    counter: transport.counter,
    tip,
    async blockHash(height: number) {
      // a confirmed block never changes: keep its answer
      const b = await api.block(height, lastTip !== undefined && height <= lastTip.height);
      return b ? b.blockID : null;
    },
    transfers,
    close: () => transport.close(),
  };
}
