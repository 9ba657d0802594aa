import { z } from "@hono/zod-openapi";
import { IngestInputSchema } from "../services/ingest.ts";
import { TRACE_DIRECTIONS, TRACE_MODELS, TraceFields } from "../services/trace-input.ts";

/** Response shapes of the API, named in /openapi.json. Amounts are decimal strings. */

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .openapi("Error");

export const AmountString = z
  .string()
  .regex(/^-?\d+$/)
  .openapi({ description: "integer in base units, decimal string" });

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
    band: z.enum(["unknown", "none", "low", "medium", "high", "severe"]).openapi({
      description: "unknown: nothing is stored of the address (see `reasons`), never reported as none",
    }),
    reasons: z.array(z.string()),
  })
  .openapi("Risk");

const Units = z.object({
  symbol: z.string().nullable().openapi({ description: "the asset's symbol (BTC, USDT); null when unknown" }),
  decimals: z
    .number()
    .nullable()
    .openapi({ description: "decimals of the asset: amount / 10^decimals is what people read" }),
});

const Chrono = z.object({
  height: z.number().nullable().openapi({ description: "block height; null while unconfirmed" }),
  time: z
    .string()
    .nullable()
    .openapi({ description: "block time, UTC ISO 8601 (2024-03-01T12:00:00Z); null while unconfirmed" }),
});

export const CoverageSchema = z
  .object({
    complete: z.boolean(),
    unknown: z
      .array(z.object({ address: z.string(), reason: z.string() }))
      .openapi({ description: "start addresses whose history is not stored in full, with the reason" }),
    notes: z.array(z.string()).openapi({ description: "what the answer did not see, one sentence each" }),
  })
  .openapi("Coverage", { description: "what an answer did not see (never a false clean)" });

const WindowSchema = z
  .object({
    since: z.string().nullable(),
    until: z.string().nullable(),
    fromHeight: z.number().nullable(),
    toHeight: z.number().nullable(),
  })
  .openapi({ description: "the time window followed and the stored blocks it covers" });

export const ExposureEntrySchema = z
  .object({
    category: z.string(),
    direction: z.enum(["in", "out"]),
    asset: z.string(),
    amount: AmountString,
    share: z.string().openapi({ description: 'amount / total of the direction and asset, e.g. "0.2500"' }),
    shareBps: z.number(),
    addresses: z.number().openapi({ description: "labelled addresses that contribute" }),
    ...Units.shape,
  })
  .openapi("ExposureEntry");

export const SourceGapSchema = z
  .object({
    address: z.string(),
    fromBlock: z.number(),
    toBlock: z.number(),
    kinds: z.array(z.enum(["native", "internal", "token", "fee"])),
    reason: z.string(),
    message: z
      .string()
      .openapi({ description: 'e.g. "internal transfers unavailable from this node for blocks 0–120"' }),
  })
  .openapi("SourceGap", {
    description: "part of a history the source could not cover (never a false clean)",
  });

const Missing = z
  .object({
    txids: z.array(z.string()),
    addresses: z.array(z.string()),
    addressCount: z
      .number()
      .int()
      .optional()
      .openapi({ description: "all the missing addresses; an offline trace names the first 1,000" }),
  })
  .openapi({ description: "what the trace needed and could not load (never a false clean)" });

export const ExposureSchema = z
  .object({
    chain: z.string(),
    address: z.string(),
    direct: z.array(ExposureEntrySchema),
    indirect: z.array(ExposureEntrySchema),
    totals: z.array(
      z.object({ direction: z.enum(["in", "out"]), asset: z.string(), amount: AmountString, ...Units.shape }),
    ),
    truncated: z.boolean(),
    missing: Missing,
    risk: RiskSchema,
    requests: z.number(),
    gaps: z.array(SourceGapSchema),
    coverage: CoverageSchema,
    window: WindowSchema.optional(),
  })
  .openapi("Exposure");

const ScreenFields = z
  .record(z.string().max(200), z.string().max(2000))
  .openapi({ description: "columns passed through unchanged (a customer id, a name)" });

export const ScreenRequestSchema = z
  .object({
    items: z
      .array(
        z.object({
          chain: z.string().min(1).max(64),
          address: z.string().min(1).max(256),
          fields: ScreenFields.optional(),
        }),
      )
      .min(1)
      .max(100_000),
    exposure: z.object({ hops: z.number().int().min(1).max(12).default(3) }).optional(),
  })
  .openapi("ScreenRequest");

const Where = {
  fields: ScreenFields.optional(),
  line: z.number().optional().openapi({ description: "the row's line in the CSV body" }),
};

export const ScreenResultSchema = z
  .object({
    chain: z.string(),
    address: z.string(),
    ...Where,
    sanctioned: z.boolean(),
    categories: z.array(z.string()),
    labels: z.array(LabelSchema),
    risk: RiskSchema,
    exposure: z
      .object({
        direct: z.array(ExposureEntrySchema),
        indirect: z.array(ExposureEntrySchema),
        coverage: CoverageSchema.optional(),
      })
      .optional(),
  })
  .openapi("ScreenResult");

export const ScreenRowErrorSchema = z
  .object({
    chain: z.string(),
    address: z.string(),
    ...Where,
    error: z.object({ code: z.string(), message: z.string() }),
  })
  .openapi("ScreenRowError", {
    description: "an item that could not be screened: nothing is said of its risk",
  });

export const ScreenResponseSchema = z
  .object({
    results: z.array(z.union([ScreenResultSchema, ScreenRowErrorSchema])),
    summary: z.object({
      rows: z.number(),
      screened: z.number(),
      errors: z.number(),
      sanctioned: z.number(),
      bands: z.record(z.enum(["unknown", "none", "low", "medium", "high", "severe"]), z.number()),
    }),
    columns: z.array(z.string()).optional().openapi({ description: "a CSV body's passed-through columns" }),
  })
  .openapi("ScreenResponse");

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
      exact: z.boolean().openapi({ description: "the whole history is stored and no balance is negative" }),
      partial: z.string().optional().openapi({ description: "why the figures are not exact" }),
      unconfirmedTxCount: z.number().optional(),
      pending: z
        .object({ txCount: z.number(), received: AmountString, sent: AmountString, balance: AmountString })
        .optional()
        .openapi({ description: "Bitcoin: unconfirmed (mempool) figures, not in the confirmed ones" }),
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
    dataset: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "import into this dataset instead of the one the file's content names" }),
    force: z
      .boolean()
      .default(false)
      .openapi({ description: "replace even if more than 10% of the dataset's addresses would be removed" }),
    authority: z
      .boolean()
      .default(false)
      .openapi({ description: "mark the dataset as an authority's (its replacements are guarded)" }),
  })
  .openapi("LabelImportRequest");

export const LabelImportResultSchema = z
  .object({
    dataset: z.string(),
    format: z.string(),
    sourceFile: z.string(),
    sourceHash: z.string(),
    rows: z.number(),
    skipped: z.number(),
    unchanged: z.boolean().openapi({ description: "the same bytes were imported before: nothing changed" }),
    skippedSample: z.array(z.object({ address: z.string(), reason: z.string() })),
    skippedReasons: z.array(z.object({ reason: z.string(), count: z.number() })),
    added: z.number().openapi({ description: "labels added to the dataset" }),
    removed: z.number().openapi({ description: "labels of the dataset this import removed" }),
    removedAddresses: z.number().openapi({ description: "addresses left with no label of the dataset" }),
    previousRows: z.number(),
    removedSample: z.array(
      z.object({ chain: z.string(), address: z.string(), label: z.string(), category: z.string() }),
    ),
    authority: z.boolean().openapi({ description: "the dataset is an authority's (guarded replacements)" }),
  })
  .openapi("LabelImportResult");

const TraceHopSchema = z.object({
  txid: z.string(),
  from: z.string(),
  to: z.string(),
  amount: AmountString,
  ...Chrono.shape,
});

export const TraceEndpointSchema = z
  .object({
    address: z.string(),
    labels: z.array(z.string()),
    categories: z.array(z.string()),
    stop: z.boolean().openapi({ description: "in a stop-at category: reported, not followed" }),
    amount: AmountString.openapi({ description: "taint that reached it, over all paths" }),
    asset: z.string(),
    symbol: z.string().nullable(),
    decimals: z.number().nullable(),
    hops: z.number(),
    direct: AmountString,
    cluster: z.object({ id: z.string(), isService: z.boolean() }).nullable(),
    paths: z.array(z.object({ hops: z.array(TraceHopSchema), bottleneck: AmountString })),
    pathsCapped: z.boolean(),
  })
  .openapi("TraceEndpoint");

export const TraceStatsSchema = z
  .object({
    addressesVisited: z.number(),
    addressesReached: z.number(),
    txsVisited: z.number(),
    truncated: z.boolean().openapi({ description: "the address budget stopped the expansion" }),
    missing: Missing,
    requests: z.number(),
    rounds: z.number(),
    gaps: z.array(SourceGapSchema),
    coverage: CoverageSchema,
  })
  .openapi("TraceStats");

export const TraceSchema = z
  .object({
    chain: z.string(),
    direction: z.enum(TRACE_DIRECTIONS),
    model: z.enum(TRACE_MODELS),
    maxHops: z.number(),
    start: z.array(z.string()),
    endpoints: z.array(TraceEndpointSchema),
    nodes: z.array(
      z.object({
        address: z.string(),
        asset: z.string(),
        amount: AmountString,
        hop: z.number(),
        labels: z.array(z.string()),
        categories: z.array(z.string()),
        stop: z.boolean(),
        start: z.boolean(),
        expanded: z.boolean(),
        ...Units.shape,
      }),
    ),
    edges: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        txid: z.string(),
        asset: z.string(),
        amount: AmountString,
        hop: z.number(),
        ...Units.shape,
        ...Chrono.shape,
      }),
    ),
    sources: z
      .array(
        z.object({
          address: z.string(),
          asset: z.string(),
          amount: AmountString,
          hop: z.number(),
          labels: z.array(z.string()),
          categories: z.array(z.string()),
          ...Units.shape,
        }),
      )
      .openapi({ description: "backward traces: where the money came from, labelled or not" }),
    clusters: z
      .array(z.object({ address: z.string(), clusterId: z.string().nullable(), members: z.number() }))
      .optional()
      .openapi({ description: "with cluster: true, the clusters the starts were taken from" }),
    window: WindowSchema.optional(),
    stats: TraceStatsSchema,
  })
  .openapi("Trace");

/**
 * POST /v1/ingest's body: the one schema `fundtrace ingest` checks its arguments with too (plain zod,
 * shared with the CLI, hence `.meta`). `since`/`until` store only a time window: the history is then
 * partial (`complete: false` in the job's result).
 */
export const IngestRequestSchema = IngestInputSchema.meta({ id: "IngestRequest" });

/**
 * Trace parameters as recorded by a saved query or an evidence package. (`.meta` rather than
 * `.openapi`: TraceFields is plain zod, created before @hono/zod-openapi may have extended it.)
 */
export const TraceParamsSchema = TraceFields.extend({ addresses: z.array(z.string()) }).meta({
  id: "TraceParams",
});

export const ScheduleSchema = z
  .object({
    kind: z.enum(["query", "watchlist"]),
    name: z.string(),
    every: z.string().nullable().openapi({ description: '"15m", "24h"; null: runs only when asked' }),
    everySeconds: z.number().nullable(),
    alertOn: z.array(z.string()).openapi({ description: "categories that raise an alert" }),
    nextRunAt: z.string().nullable(),
    lastRun: z
      .object({
        startedAt: z.string().nullable(),
        finishedAt: z.string().nullable(),
        status: z.string().nullable(),
        error: z.string().nullable(),
        summary: z.string().nullable(),
      })
      .nullable(),
    runs: z.number(),
    skipped: z.number().openapi({ description: "runs not started: the previous one was still going" }),
  })
  .openapi("Schedule");

/** A schedule change: `every` ("15m"; null or "off" stops the runs) and/or the alert categories. */
export const ScheduleChangeSchema = z.object({
  every: z.string().nullable().optional(),
  alertOn: z.array(z.string()).optional(),
});
