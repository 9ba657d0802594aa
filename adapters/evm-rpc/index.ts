/**
 * An EVM JSON-RPC node as an AccountSource, on ethers v6 over the shared transport (./provider.ts).
 *
 * - ERC-20: `eth_getLogs` by topic, [Transfer, address] and [Transfer, null, address], split until the
 *   node accepts each range (./ranged.ts).
 * - native and internal: `trace_filter` when the node has it, else a bounded block scan with
 *   `debug_traceTransaction` (./flows.ts); what a node cannot trace is reported as a gap.
 * - receipts for status, gasUsed and effectiveGasPrice (fee rows); block timestamps (./lookups.ts).
 *
 * Rows are identical to the Etherscan adapter's (../evm/rows.ts). Not covered: SELFDESTRUCT balances,
 * block rewards and withdrawals, L2 L1-data fees.
 *
 * Request counting: `counter.requests` counts JSON-RPC calls, not HTTP requests; a batch of n calls
 * adds n, and a retried attempt adds its calls again (`counter.retries` counts retried HTTP attempts).
 * Errors never carry the node URL, which often holds a key.
 */
import { Network } from "ethers";
import type { AccountTransfer } from "../../src/domain.ts";
import { UpstreamError } from "../../src/errors.ts";
import { hexToNumber, toHex } from "../evm/encoding.ts";
import { checkTransfersInput, nativeAsset, sortTransfers } from "../evm/rows.ts";
import type { AccountSource, BlockRange, SourceGap, Tip, TransfersOptions } from "../source.ts";
import { transfersInWindow, WindowBlocks } from "../time-window.ts";
import { Transport, type TransportOptions } from "../transport.ts";
import { BlockScan, viaTraceFilter } from "./flows.ts";
import { rpcLookups } from "./lookups.ts";
import { isUnsupported, rpcCaller, urlSecrets } from "./provider.ts";
import { RangedCalls } from "./ranged.ts";
import { tokenRows, valueRows } from "./rows.ts";

export type TraceMode = "auto" | "trace_filter" | "scan";

export interface EvmRpcSourceOptions
  extends Pick<
    TransportOptions,
    "rps" | "concurrency" | "timeoutMs" | "retry" | "counter" | "sleep" | "onRetry" | "responses"
  > {
  url: string;
  /** Chain name stored on rows; default "ethereum". */
  chain?: string;
  chainId?: number;
  nativeSymbol?: string;
  /** How native and internal transfers are found; "auto" uses trace_filter when the node answers it. */
  traces?: TraceMode;
  /** Largest range the block scan accepts (pass a narrower fromBlock/toBlock); default 100,000. */
  maxScanBlocks?: number;
  /** Calls per JSON-RPC batch; default 50. */
  batchMaxCount?: number;
  /** Widest block span asked of eth_getLogs / trace_filter; default unlimited (learnt from refusals). */
  maxBlockRange?: number;
  log?: (line: string) => void;
}

export interface EvmRpcSource extends AccountSource {
  /** The trace method in use once known ("trace_filter" or "scan"). */
  readonly traceMode: TraceMode;
}

export function createEvmRpcSource(opts: EvmRpcSourceOptions): EvmRpcSource {
  const id = "evm-rpc";
  const chain = opts.chain ?? "ethereum";
  const {
    url,
    chainId,
    nativeSymbol,
    traces,
    maxScanBlocks,
    batchMaxCount,
    maxBlockRange,
    log: _l,
    ...rest
  } = opts;
  const transport = new Transport({ ...rest, source: id, baseUrl: url, secrets: urlSecrets(url) });
  const rpc = rpcCaller(id, transport, new Network(chain, chainId ?? 0), batchMaxCount ?? 50);
  const call = <T>(method: string, params: unknown[]) => rpc.call<T>(method, params);
  const log = opts.log ?? (() => {});
  const look = rpcLookups(id, call);
  const ranged = new RangedCalls(id, call, maxBlockRange, log);
  const scan = new BlockScan(id, call, look, maxScanBlocks ?? 100_000, log);
  const rows = { source: id, chain, native: nativeAsset(nativeSymbol ?? "ETH"), look };
  let mode: TraceMode = traces ?? "auto";
  const tipHeight = async () => hexToNumber(await call<string>("eth_blockNumber", []));
  // a node has no lookup by time: binary search over block timestamps
  const windows = new WindowBlocks({ tipHeight, blockTime: look.blockTime });

  async function flows(a: string, range: BlockRange, onGap: (g: SourceGap) => void) {
    if (mode !== "scan") {
      try {
        const r = await viaTraceFilter(a, range.fromBlock, range.toBlock, ranged, look);
        mode = "trace_filter";
        return r;
      } catch (e) {
        if (mode === "trace_filter" || !isUnsupported(e)) throw e;
        log(`${id}: trace_filter is not available (${e.rpcMessage}); scanning blocks instead`);
        mode = "scan";
      }
    }
    return scan.flows(a, range.fromBlock, range.toBlock, onGap);
  }

  async function transfers(
    address: string,
    whole: BlockRange,
    opts?: TransfersOptions,
  ): Promise<AccountTransfer[]> {
    const a = checkTransfersInput(chain, address, whole);
    const range = await windows.narrow(whole, opts?.window);
    if (!range) return [];
    const [tokens, f] = await Promise.all([
      tokenRows(rows, ranged, a, range.fromBlock, range.toBlock),
      flows(a, range, (g) => opts?.onGap?.(g)),
    ]);
    return transfersInWindow(sortTransfers([...tokens, ...(await valueRows(rows, a, f))]), opts?.window);
  }

  async function hashAt(height: number): Promise<string | null> {
    const b = await call<{ hash: string } | null>("eth_getBlockByNumber", [toHex(height), false]);
    return b ? b.hash : null;
  }

  return {
    id,
    chain,
    model: "account",
    counter: transport.counter,
    get traceMode() {
      return mode;
    },
    async tip(): Promise<Tip> {
      const height = await tipHeight();
      const hash = await hashAt(height);
      if (!hash)
        throw new UpstreamError(id, `no block at the reported tip ${height}`, {
          cause: new Error("eth_getBlockByNumber answered null"),
        });
      return { height, hash };
    },
    blockHash: hashAt,
    transfers,
    async close() {
      rpc.destroy();
      await transport.close();
    },
  };
}
