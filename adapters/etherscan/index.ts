/**
 * Etherscan v2 (`/v2/api?chainid=…`) and Blockscout-compatible (`/api?module=account…`) APIs as an
 * AccountSource: native (txlist), internal (txlistinternal) and ERC-20 (tokentx) transfers, plus fees.
 * One implementation; the two APIs differ only in their dialect (./dialects.ts). Paging by block windows
 * (./window.ts), records to rows (./mapping.ts, through the shared EVM rows in ../evm/rows.ts).
 *
 * The API key travels only as the `apikey` query parameter (secretQuery): it never enters a logged or
 * stored URL, and every message and error cause is scrubbed of it.
 */
import type { AccountTransfer } from "../../src/domain.ts";
import { BadInputError } from "../../src/errors.ts";
import { checkTransfersInput, nativeAsset, sortTransfers } from "../evm/rows.ts";
import type { AccountSource, BlockRange, Tip, TransfersOptions } from "../source.ts";
import { transfersInWindow, WindowBlocks } from "../time-window.ts";
import { Transport, type TransportOptions } from "../transport.ts";
import { EtherscanApi } from "./api.ts";
import { blockscout, etherscanV2 } from "./dialects.ts";
import { EtherscanMapper } from "./mapping.ts";
import type { Action } from "./schemas.ts";
import { ETHERSCAN_RECORD_WINDOW, RecordLister } from "./window.ts";

export { throttleCheck } from "./api.ts";

export type EtherscanFlavor = "etherscan-v2" | "blockscout";

export interface EtherscanSourceOptions extends Omit<TransportOptions, "source" | "baseUrl" | "secrets"> {
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

export function createEtherscanSource(opts: EtherscanSourceOptions): AccountSource {
  const dialect =
    (opts.flavor ?? "etherscan-v2") === "etherscan-v2" ? etherscanV2(opts.chainId ?? 1) : blockscout;
  const chain = opts.chain ?? "ethereum";
  const window = opts.recordWindow ?? ETHERSCAN_RECORD_WINDOW;
  if (!Number.isInteger(window) || window < 1)
    throw new BadInputError(`recordWindow must be a positive integer`);
  const {
    apiKey,
    chainId: _c,
    chain: _n,
    flavor: _f,
    recordWindow: _w,
    nativeSymbol,
    log,
    ...transport
  } = opts;
  const http = new Transport({
    ...transport,
    source: dialect.id,
    baseUrl: opts.baseUrl.replace(/\/+$/, "").replace(/\/(v2\/)?api$/, ""),
    rps: opts.rps ?? dialect.defaultRps,
    secrets: [apiKey],
  });
  // Blockscout needs no key but takes one (higher rate limits), under the same name.
  const api = new EtherscanApi(
    dialect.id,
    dialect,
    http,
    apiKey ? { apikey: apiKey } : undefined,
    log ?? (() => {}),
  );
  const lookups = dialect.lookups(api);
  const lister = new RecordLister(api, window);
  const mapper = new EtherscanMapper(api, lookups, chain, nativeAsset(nativeSymbol ?? "ETH"));
  // a time window becomes startblock/endblock through getblocknobytime (block times when it cannot say)
  const windows = new WindowBlocks(lookups);

  async function transfers(
    addressIn: string,
    whole: BlockRange,
    opts?: TransfersOptions,
  ): Promise<AccountTransfer[]> {
    const a = checkTransfersInput(chain, addressIn, whole);
    const range = await windows.narrow(whole, opts?.window);
    if (!range) return [];
    const stop = { now: false };
    const list = (action: Action) =>
      lister.all(action, a, range.fromBlock, range.toBlock, stop).catch((e: unknown) => {
        stop.now = true;
        throw e;
      });
    const [txs, internal, tokens] = await Promise.all([
      list("txlist"),
      list("txlistinternal"),
      list("tokentx"),
    ]);
    const known = new Map<string, { txIndex: number; success: boolean }>();
    const rows = mapper.txRows(a, txs, known);
    rows.push(...(await mapper.internalRows(internal, known)), ...(await mapper.tokenRows(tokens)));
    return transfersInWindow(sortTransfers(rows), opts?.window);
  }

  return {
    id: dialect.id,
    chain,
    model: "account",
    counter: http.counter,
    async tip(): Promise<Tip> {
      const height = await lookups.tipHeight();
      const hash = await lookups.blockHash(height);
      if (!hash)
        throw api.error(`no block at the reported tip ${height}`, new Error("block lookup answered null"));
      return { height, hash };
    },
    blockHash: (height) => lookups.blockHash(height),
    transfers,
    close: () => http.close(),
  };
}
