/**
 * Raw EVM facts → AccountTransfer rows, shared by the JSON-RPC and the Etherscan-compatible adapters so
 * both produce identical rows:
 * - native: the top-level value of a transaction from/to the address (failed ones kept, success=false);
 * - internal: value-carrying CALLs below the top level; seq is the position among the transaction's
 *   value-carrying calls in trace order, traceAddress the call's path ("0_1");
 * - token: ERC-20 Transfer logs, seq = log index;
 * - fee: gasUsed × effective gas price, for transactions the address sent.
 * Order: block, tx index, kind (native < internal < token < fee), seq. blockHash is null on every row:
 * callers ingest only up to tip minus a confirmation depth, so rows never need a reorg check.
 */
import { type AccountTransfer, compareTransfers } from "../../src/domain.ts";
import { BadInputError, InvalidAddressError } from "../../src/errors.ts";

export interface NativeAsset {
  asset: string;
  symbol: string;
  decimals: number;
}

export const nativeAsset = (symbol: string): NativeAsset => ({ asset: symbol, symbol, decimals: 18 });

/** Where a transaction sits in the chain. */
export interface TxPlace {
  chain: string;
  txid: string;
  blockNumber: number;
  blockTime: number;
  txIndex: number;
}

const placed = (p: TxPlace) => ({
  chain: p.chain,
  txid: p.txid,
  blockNumber: p.blockNumber,
  blockHash: null,
  blockTime: p.blockTime,
  txIndex: p.txIndex,
});

export interface TopLevelTx {
  from: string;
  /** Callee, or the created contract. */
  to: string | null;
  value: bigint;
  success: boolean;
  /** gasUsed × effective gas price; asked only when the address sent the transaction. */
  fee: () => bigint;
}

/** The native row of a transaction from or to `address` (when it carries value) and its fee row (when `address` sent it). */
export function topLevelRows(
  address: string,
  p: TxPlace,
  native: NativeAsset,
  t: TopLevelTx,
): AccountTransfer[] {
  if (t.from !== address && t.to !== address) return [];
  const base = { ...placed(p), logIndex: null, traceAddress: null, ...native };
  const rows: AccountTransfer[] = [];
  if (t.value > 0n)
    rows.push({
      ...base,
      kind: "native",
      seq: 0,
      from: t.from,
      to: t.to,
      value: t.value,
      success: t.success,
    });
  if (t.from === address)
    rows.push({ ...base, kind: "fee", seq: 0, from: t.from, to: null, value: t.fee(), success: true });
  return rows;
}

export interface InternalCall {
  /** Position among the transaction's value-carrying calls, in trace order. */
  seq: number;
  traceAddress: string | null;
  from: string;
  to: string | null;
  value: bigint;
  /** The transaction succeeded and no enclosing frame reverted. */
  success: boolean;
}

export function internalRow(p: TxPlace, native: NativeAsset, c: InternalCall): AccountTransfer {
  return {
    ...placed(p),
    kind: "internal",
    seq: c.seq,
    logIndex: null,
    traceAddress: c.traceAddress,
    from: c.from,
    to: c.to,
    ...native,
    value: c.value,
    success: c.success,
  };
}

export interface TokenMove {
  logIndex: number;
  token: string;
  symbol: string | null;
  decimals: number | null;
  from: string;
  to: string;
  value: bigint;
}

export function tokenRow(p: TxPlace, t: TokenMove): AccountTransfer {
  return {
    ...placed(p),
    kind: "token",
    seq: t.logIndex,
    logIndex: t.logIndex,
    traceAddress: null,
    from: t.from,
    to: t.to,
    asset: t.token,
    symbol: t.symbol,
    decimals: t.decimals,
    value: t.value,
    success: true,
  };
}

export function sortTransfers(rows: AccountTransfer[]): AccountTransfer[] {
  return rows.sort(compareTransfers);
}

/** The address (lower-cased) after checking it and the block range both adapters accept. */
export function checkTransfersInput(
  chain: string,
  address: string,
  range: { fromBlock: number; toBlock: number },
): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address))
    throw new InvalidAddressError(chain, address, "not a 20-byte hex address");
  checkBlockRange(range);
  return address.toLowerCase();
}

/** A block range every adapter accepts: whole numbers, from ≤ to. */
export function checkBlockRange(range: { fromBlock: number; toBlock: number }): void {
  const { fromBlock, toBlock } = range;
  if (
    !Number.isSafeInteger(fromBlock) ||
    !Number.isSafeInteger(toBlock) ||
    fromBlock < 0 ||
    toBlock < fromBlock
  ) {
    throw new BadInputError(`invalid block range ${fromBlock}-${toBlock}`);
  }
}
