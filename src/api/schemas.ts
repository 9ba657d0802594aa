import { z } from "@hono/zod-openapi";

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .openapi("Error");

export const LabelSchema = z
  .object({
    label: z.string(),
    category: z.string(),
    source: z.string(),
    confidence: z.number(),
    program: z.string().nullable(),
    reference: z.string().nullable(),
    chain: z.string(),
  })
  .openapi("Label");

export const RiskSchema = z
  .object({
    score: z.number(),
    band: z.enum(["none", "low", "medium", "high", "severe"]),
    reasons: z.array(z.string()),
  })
  .openapi("Risk");

export const ScreenRequestSchema = z
  .object({
    items: z
      .array(z.object({ chain: z.string().min(1).max(64), address: z.string().min(1).max(256) }))
      .min(1)
      .max(100_000),
    exposure: z.object({ hops: z.number().int().min(1).max(12).default(3) }).optional(),
  })
  .openapi("ScreenRequest");

export const ScreenResultSchema = z
  .object({
    chain: z.string(),
    address: z.string(),
    sanctioned: z.boolean(),
    categories: z.array(z.string()),
    labels: z.array(LabelSchema),
    risk: RiskSchema,
    exposure: z.object({ direct: z.array(z.any()), indirect: z.array(z.any()) }).optional(),
  })
  .openapi("ScreenResult");

export const AmountString = z
  .string()
  .regex(/^-?\d+$/)
  .openapi({ description: "integer in base units, decimal string" });

export const AssetStatsSchema = z.object({
  asset: z.string(),
  symbol: z.string(),
  decimals: z.number(),
  txCount: z.number(),
  received: AmountString,
  sent: AmountString,
  balance: AmountString,
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
});

export const AddressInfoSchema = z
  .object({
    chain: z.string(),
    address: z.string(),
    labels: z.array(LabelSchema),
    cluster: z.object({ id: z.string(), size: z.number(), isService: z.boolean() }).nullable(),
    stats: z.object({
      asset: z.string(),
      txCount: z.number(),
      received: AmountString,
      sent: AmountString,
      balance: AmountString,
      firstSeen: z.string().nullable(),
      lastSeen: z.string().nullable(),
      exact: z.boolean(),
      unconfirmedTxCount: z.number().optional(),
    }),
    assets: z.array(AssetStatsSchema).optional(),
  })
  .openapi("AddressInfo");

export const LabelImportRequestSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(256)
      .openapi({ description: "file name (used to sniff the format and decompress .gz/.bz2)" }),
    format: z.enum(["ofac-sdn", "tagpack", "nbctf", "csv", "evm-labels"]).optional(),
    content: z.string().min(1),
    encoding: z.enum(["utf8", "base64"]).default("utf8"),
  })
  .openapi("LabelImportRequest");
