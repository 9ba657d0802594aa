/** Per-block and per-transaction lookups on a node, memoised: they never change once confirmed. */
import { UpstreamError } from "../../src/errors.ts";
import { decodeAbiString, hexToBigInt, hexToNumber, toHex } from "../evm/encoding.ts";
import { fromParity, type ParityTrace } from "../evm/traces.ts";
import { memo } from "../memo.ts";
import { RpcError } from "./provider.ts";

export interface RpcReceipt {
  transactionHash: string;
  transactionIndex: string;
  blockNumber: string;
  status?: string;
  gasUsed: string;
  effectiveGasPrice?: string;
  contractAddress?: string | null;
}

type Call = <T>(method: string, params: unknown[]) => Promise<T>;

const missing = (source: string, what: string, method: string) =>
  new UpstreamError(source, `${what} not found`, { cause: new Error(`${method} answered null`) });

export function rpcLookups(source: string, call: Call) {
  /** Block timestamps; the block scan fills them in as it reads blocks. */
  const blockTimes = new Map<number, number>();
  const fetchBlockTime = memo(async (n: number) => {
    const b = await call<{ timestamp: string } | null>("eth_getBlockByNumber", [toHex(n), false]);
    if (!b) throw missing(source, `block ${n}`, "eth_getBlockByNumber");
    return hexToNumber(b.timestamp);
  });

  return {
    blockTimes,
    blockTime: async (n: number) => blockTimes.get(n) ?? fetchBlockTime(n),

    receipt: memo(async (hash: string) => {
      const r = await call<RpcReceipt | null>("eth_getTransactionReceipt", [hash]);
      if (!r) throw missing(source, `receipt of ${hash}`, "eth_getTransactionReceipt");
      return r;
    }),

    /** symbol() and decimals(); a token that reverts or lacks them gets nulls, a failing node an error. */
    token: memo(async (address: string) => {
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
    }),

    traces: memo(async (hash: string) => fromParity(await call<ParityTrace[]>("trace_transaction", [hash]))),

    /** Whether code runs at an address at a block (a call to it can make internal calls). */
    hasCode: memo(async (key: `${string}@${number}`) => {
      const [address, block] = key.split("@") as [string, string];
      const code = await call<string>("eth_getCode", [address, toHex(Number(block))]);
      return code !== "0x" && code !== "";
    }),
  };
}

export type RpcLookups = ReturnType<typeof rpcLookups>;
