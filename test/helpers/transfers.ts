import type { AccountTransfer } from "../../src/domain.ts";

/** A successful native ETH transfer in block 1 (override what a test is about). */
export function ethTransfer(
  t: Pick<AccountTransfer, "txid" | "from" | "to" | "value"> & Partial<AccountTransfer>,
): AccountTransfer {
  return {
    chain: "ethereum",
    kind: "native",
    seq: 0,
    blockNumber: 1,
    blockHash: null,
    blockTime: 1_700_000_000,
    txIndex: 0,
    logIndex: null,
    traceAddress: null,
    asset: "ETH",
    symbol: "ETH",
    decimals: 18,
    success: true,
    ...t,
  };
}
