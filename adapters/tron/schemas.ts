/**
 * The parts of TronGrid v1 and java-tron answers fundtrace reads, checked with zod (everything else
 * passes through). Amounts are int64 JSON numbers, parsed exactly (./json.ts) and turned into
 * bigints here. Addresses: `41…` hex in transactions and TransactionInfo, base58 in TRC-20 items.
 */
import { z } from "zod";

const amount = z
  .union([z.number(), z.bigint()])
  .refine((v) => (typeof v === "bigint" ? v >= 0n : Number.isSafeInteger(v) && v >= 0), "not an exact amount")
  .transform((v) => BigInt(v));
const hex41 = z.string().regex(/^41[0-9a-fA-F]{40}$/, "not a 41… hex address");
const txid = z.string().regex(/^[0-9a-fA-F]{64}$/);

export const Contract = z.object({
  type: z.string(),
  parameter: z.object({ value: z.record(z.string(), z.unknown()), type_url: z.string().optional() }),
});

/** A transaction item of `/v1/accounts/:a/transactions`. */
export const V1Tx = z.object({
  txID: txid,
  blockNumber: z.number().int().nonnegative(),
  block_timestamp: z.number().int(),
  ret: z.array(z.object({ contractRet: z.string().optional(), fee: amount.optional() })).optional(),
  raw_data: z.object({ contract: z.array(Contract).min(1) }),
});
export type V1Tx = z.output<typeof V1Tx>;

/** A bare internal-transaction row of the same list (no block number: its parent says). */
export const V1InternalRow = z.object({
  internal_tx_id: z.string(),
  tx_id: txid,
  block_timestamp: z.number().int(),
});

/** An item of `/v1/accounts/:a/transactions/trc20`. */
export const V1Trc20 = z.object({
  transaction_id: txid,
  token_info: z.object({
    symbol: z.string().optional(),
    address: z.string(),
    decimals: z.number().int().nonnegative().optional(),
    name: z.string().optional(),
  }),
  block_timestamp: z.number().int(),
  from: z.string(),
  to: z.string(),
  type: z.string(),
  value: z.string(),
  /** Only with get_detail=true (not every TronGrid host gives it): the transaction, with its block. */
  detail: z.object({ blockNumber: z.number().int().nonnegative() }).passthrough().optional(),
});
export type V1Trc20 = z.output<typeof V1Trc20>;

export const V1Page = z.object({
  success: z.literal(true),
  data: z.array(z.unknown()),
  meta: z.object({
    page_size: z.number().int().optional(),
    fingerprint: z.string().optional(),
    links: z.object({ next: z.string() }).optional(),
  }),
});

/** `/wallet/gettransactioninfobyid`, an element of gettransactioninfobyblocknum. */
export const TxInfo = z.object({
  id: txid,
  fee: amount.optional(),
  blockNumber: z.number().int().nonnegative(),
  blockTimeStamp: z.number().int(),
  receipt: z.object({ result: z.string().optional() }).passthrough().optional(),
  result: z.string().optional(),
  log: z
    .array(
      z.object({ address: z.string(), topics: z.array(z.string()).optional(), data: z.string().optional() }),
    )
    .optional(),
  internal_transactions: z
    .array(
      z.object({
        caller_address: hex41,
        transferTo_address: hex41,
        callValueInfo: z
          .array(z.object({ callValue: amount.optional(), tokenId: z.string().optional() }))
          .optional(),
        rejected: z.boolean().optional(),
      }),
    )
    .optional(),
});
export type TxInfo = z.output<typeof TxInfo>;

/** A node-format transaction inside a block. */
export const NodeTx = z.object({
  txID: txid,
  ret: z.array(z.object({ contractRet: z.string().optional() })).optional(),
  raw_data: z.object({ contract: z.array(Contract).min(1) }),
});
export type NodeTx = z.output<typeof NodeTx>;

export const Block = z.object({
  blockID: z.string().regex(/^[0-9a-f]{64}$/),
  block_header: z.object({
    raw_data: z.object({ number: z.number().int().optional(), timestamp: z.number().int() }),
  }),
  transactions: z.array(NodeTx).optional(),
});
export type Block = z.output<typeof Block>;

export const AssetIssue = z.object({
  id: z.string().optional(),
  abbr: z.string().optional(),
  name: z.string().optional(),
  precision: z.number().int().nonnegative().optional(),
});
