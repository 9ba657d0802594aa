/** The shapes of Etherscan and Blockscout answers the adapter reads (extra fields are ignored). */
import { z } from "zod";

const Dec = z.string().regex(/^[0-9]+$/, "not a decimal integer");
const Hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "not a 32-byte hash");
const Addr = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "not an address");
const AddrOrEmpty = z.union([Addr, z.literal("")]);
const ErrFlag = z.enum(["0", "1"]);

export const TxItem = z.object({
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
export type TxItem = z.output<typeof TxItem>;

export const InternalItem = z.object({
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
export type InternalItem = z.output<typeof InternalItem>;

export const TokenItem = z.object({
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
export type TokenItem = z.output<typeof TokenItem>;

export const RpcReceipt = z.object({
  transactionIndex: z.string(),
  status: z.string().optional(),
  logs: z.array(
    z.object({ address: z.string(), topics: z.array(z.string()), data: z.string(), logIndex: z.string() }),
  ),
});

export const BlockscoutTx = z.object({
  position: z.number().int(),
  status: z.string().nullish(),
});

export const BlockscoutLogs = z.object({
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

/** `{status, message, result}`: every module=… answer. */
export interface Envelope {
  status?: unknown;
  message?: unknown;
  result?: unknown;
}

/** A log with its block-level index, as a receipt gives it. */
export interface Log {
  address: string;
  topics: string[];
  data: string;
  logIndex: string;
}

export type Action = "txlist" | "txlistinternal" | "tokentx";
